import { x } from "@causeway/core"; export const y = x + 1;
