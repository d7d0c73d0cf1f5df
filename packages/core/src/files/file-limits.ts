/** A file field's largest file when its definition names none: enough for photos and documents. */
export const defaultMaxFileSize = 10 * 1024 * 1024;
