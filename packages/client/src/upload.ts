/** Files for a multipart write, by file field: one file, or several for a `multiple` field. */
export type UploadFiles = Record<string, Blob | readonly Blob[]>;

export interface UploadProgress {
  /** Bytes of the request body sent so far. */
  loaded: number;
  /** Bytes of the whole request body. */
  total: number;
}

/** A response as the upload saw it: status and body text. */
export interface UploadAnswer {
  status: number;
  text: string;
}

const encoder = new TextEncoder();

function quoted(value: string): string {
  return value.replace(/["\r\n\\]/g, (c) => encodeURIComponent(c));
}

/**
 * The multipart body of a write: the other fields as JSON in `@json` (first, so the server knows the record
 * before its files), then each file. Built as a Blob of the files themselves, so nothing is copied or read
 * ahead, and its size (for progress) is exact.
 */
export function multipartBody(data: Record<string, unknown>, files: UploadFiles): { body: Blob; contentType: string } {
  const boundary = `causeway-${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;
  const parts: BlobPart[] = [];
  const header = (disposition: string, type: string) => encoder.encode(`--${boundary}\r\nContent-Disposition: form-data; ${disposition}\r\nContent-Type: ${type}\r\n\r\n`);
  parts.push(header('name="@json"', 'application/json'), encoder.encode(JSON.stringify(data)), encoder.encode('\r\n'));
  for (const [field, value] of Object.entries(files)) {
    for (const file of Array.isArray(value) ? (value as readonly Blob[]) : [value as Blob]) {
      const name = typeof (file as File).name === 'string' && (file as File).name !== '' ? (file as File).name : 'file';
      parts.push(header(`name="${quoted(field)}"; filename="${quoted(name)}"`, file.type || 'application/octet-stream'), file, encoder.encode('\r\n'));
    }
  }
  parts.push(encoder.encode(`--${boundary}--\r\n`));
  return { body: new Blob(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** One multipart request, as `sendUpload` takes it. */
export interface UploadRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: Blob;
  onProgress?: ((progress: UploadProgress) => void) | undefined;
}

/** In a browser: XMLHttpRequest, the one API that reports upload progress there. */
function sendWithXhr({ method, url, headers, body, onProgress }: UploadRequest): Promise<UploadAnswer> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, url);
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    if (onProgress) xhr.upload.onprogress = (event) => onProgress({ loaded: event.loaded, total: event.lengthComputable ? event.total : body.size });
    xhr.onload = () => resolve({ status: xhr.status, text: xhr.responseText });
    xhr.onerror = () => reject(new Error('the upload failed'));
    xhr.send(body);
  });
}

/** Elsewhere (Node): fetch with the body streamed through a counter. */
async function sendWithFetch(fetchFn: typeof globalThis.fetch, { method, url, headers, body, onProgress }: UploadRequest): Promise<UploadAnswer> {
  let loaded = 0;
  const total = body.size;
  const counted = onProgress
    ? body.stream().pipeThrough(
        new TransformStream<Uint8Array, Uint8Array>({
          transform(chunk, controller) {
            loaded += chunk.byteLength;
            onProgress({ loaded, total });
            controller.enqueue(chunk);
          },
        }),
      )
    : body;
  const init: RequestInit & { duplex?: 'half' } = { method, headers, body: counted, ...(onProgress ? { duplex: 'half' } : {}) };
  const response = await fetchFn(url, init);
  return { status: response.status, text: await response.text() };
}

/** Sends a multipart request with progress: XMLHttpRequest where there is one (browsers), else fetch. */
export function sendUpload(fetchFn: typeof globalThis.fetch, request: UploadRequest): Promise<UploadAnswer> {
  return typeof XMLHttpRequest === 'function' ? sendWithXhr(request) : sendWithFetch(fetchFn, request);
}
