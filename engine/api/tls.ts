// EM ships with a self-signed certificate (§1). Trust it through a CA file / PEM, or skip
// verification only when asked explicitly. The settings go to the node fetch's https agent.

import { readFile } from 'node:fs/promises';
import { rootCertificates } from 'node:tls';
import { UsageError, errorMessage } from '../errors.js';
import type { NodeFetchOptions } from './node-fetch.js';
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

function needsCustomTrust(tls: TlsOptions | undefined): tls is TlsOptions {
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
 * The https agent's trust settings, or undefined for Node's default trust store.
 * `ca` replaces the default roots in Node, so the system roots are passed along too.
 */
export async function agentTls(tls: TlsOptions | undefined): Promise<NodeFetchOptions['tls']> {
  if (!needsCustomTrust(tls)) return undefined;
  if (tls.insecureSkipVerify) return { rejectUnauthorized: false };
  return { ca: [...rootCertificates, ...(await extraCa(tls))], rejectUnauthorized: true };
}
