// EM ships with a self-signed certificate (§1). Trust it through a CA file / PEM, or skip
// verification only when asked explicitly. undici's Agent is the only way to give Node 20's
// fetch a CA (LIBRARIES.md §2); it costs ~55 ms to import, so only when a TLS option is set.

import { readFile } from 'node:fs/promises';
import { rootCertificates } from 'node:tls';
import { UsageError, errorMessage } from '../errors.js';
import type { ClientOptions } from './types.js';

type TlsOptions = NonNullable<ClientOptions['tls']>;

/** The warning the caller prints when verification is off; undefined otherwise. */
export function tlsWarning(options: Pick<ClientOptions, 'tls' | 'url'>): string | undefined {
  if (!options.tls?.insecureSkipVerify) return undefined;
  return (
    `WARNING: TLS certificate verification is disabled for ${options.url} (insecureSkipVerify). ` +
    'Anyone on the network path can impersonate Enterprise Manager and read the credentials. ' +
    'Prefer tls.caFile with the EM certificate.'
  );
}

function needsDispatcher(tls: TlsOptions | undefined): tls is TlsOptions {
  return !!tls && (tls.caFile !== undefined || tls.ca !== undefined || tls.insecureSkipVerify === true);
}

/** The PEM text to trust in addition to the system roots, if any. */
async function extraCa(tls: TlsOptions): Promise<string[]> {
  const pems: string[] = [];
  if (tls.ca !== undefined) pems.push(tls.ca);
  if (tls.caFile !== undefined) {
    let text: string;
    try {
      text = await readFile(tls.caFile, 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read tls.caFile ${tls.caFile}: ${errorMessage(error)}`);
    }
    if (!text.includes('-----BEGIN CERTIFICATE-----')) {
      throw new UsageError(`tls.caFile ${tls.caFile} holds no PEM certificate (expected -----BEGIN CERTIFICATE-----)`);
    }
    pems.push(text);
  }
  return pems;
}

/**
 * A fetch `dispatcher` for ky, or undefined to use Node's default trust store.
 * `ca` replaces the default roots in Node, so the system roots are passed along too.
 */
export async function createDispatcher(tls: TlsOptions | undefined): Promise<object | undefined> {
  if (!needsDispatcher(tls)) return undefined;
  const pems = await extraCa(tls);
  const { Agent } = await import('undici');
  return new Agent({
    connect: tls.insecureSkipVerify
      ? { rejectUnauthorized: false }
      : { ca: [...rootCertificates, ...pems], rejectUnauthorized: true },
  });
}
