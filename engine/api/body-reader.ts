// Reading a response body incrementally, under a size cap and the request's deadline.
// EM's bodies are kilobytes; a proxy or a broken server can send gigabytes or stall
// mid-body, and `response.text()` would buffer all of it or wait forever.

const UTF8 = new TextDecoder();

export type BodyRead = { kind: 'text'; text: string } | { kind: 'too-large'; limitBytes: number };

/**
 * Reads `response`'s body as UTF-8 text, at most `maxBytes`. Past the cap (or when
 * Content-Length announces more) the stream is cancelled and `too-large` returned.
 * Rejects with `signal.reason` when `signal` aborts before the body is complete.
 */
export async function readBody(response: Response, signal: AbortSignal, maxBytes: number): Promise<BodyRead> {
  const body = response.body;
  if (body === null) return { kind: 'text', text: '' };
  const reader = body.getReader();
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    cancel(reader);
    return { kind: 'too-large', limitBytes: maxBytes };
  }
  const aborted = abortPromise(signal);
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      // Injected fetches (tests, the simulator) do not tie their body to the signal: race it.
      const next = await Promise.race([reader.read(), aborted.promise]);
      if (next.done) break;
      total += next.value.byteLength;
      if (total > maxBytes) {
        cancel(reader);
        return { kind: 'too-large', limitBytes: maxBytes };
      }
      chunks.push(next.value);
    }
  } catch (error) {
    cancel(reader);
    throw error;
  } finally {
    aborted.dispose();
  }
  // Same decoding as response.text(): UTF-8, a leading BOM dropped, bad bytes replaced.
  // One decoder for all (decode() without `stream` keeps no state); EM's bodies are mostly one chunk.
  return { kind: 'text', text: UTF8.decode(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)) };
}

/** `16 MiB`, `64 KiB`, `100 bytes`: the cap as a person reads it. */
export function formatBytes(bytes: number): string {
  const MiB = 1024 * 1024;
  if (bytes >= MiB && bytes % MiB === 0) return `${bytes / MiB} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

function cancel(reader: ReadableStreamDefaultReader<Uint8Array>): void {
  // Not awaited: the answer is already decided, and a dead peer must not delay it. A
  // failure to cancel only means the socket is closed by the runtime later.
  reader.cancel().catch(() => undefined);
}

function abortPromise(signal: AbortSignal): { promise: Promise<never>; dispose: () => void } {
  let onAbort = () => {};
  const promise = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  // Handled by the race above; an abort after the body is complete concerns nobody.
  promise.catch(() => undefined);
  return { promise, dispose: () => signal.removeEventListener('abort', onAbort) };
}
