// EM ships with a self-signed certificate (§1). Trust it through a CA file / PEM, or skip
// verification only when asked explicitly. The settings go to the node fetch's https agent.

import { readFile } from 'node:fs/promises';
import { rootCertificates } from 'node:tls';
import { UsageError, errorMessage } from '../errors.js';
import type { NodeFetchOptions } from './node-fetch.js';
import type { ClientOptions } from './types.js';

type TlsOptions = NonNullable<ClientOptions['tls']>;

/**
 * The warning the caller prints when the credentials are not protected: plain http:// to a
 * host other than this machine, or verification off; undefined otherwise.
 */
export function tlsWarning(options: Pick<ClientOptions, 'tls' | 'url'>): string | undefined {
  const url = parseUrl(options.url);
  if (url?.protocol === 'http:') {
    if (isLoopback(url.hostname)) return undefined;
    return (
      `WARNING: ${url.origin} is plain http://: the credentials and the session token cross the network unencrypted. ` +
      'Use https:// (EM listens on 9398), trusting its certificate with tls.caFile.'
    );
  }
  if (!options.tls?.insecureSkipVerify) return undefined;
  return (
    `WARNING: TLS certificate verification is disabled for ${options.url} (insecureSkipVerify). ` +
    'Anyone on the network path can impersonate Enterprise Manager and read the credentials. ' +
    'Prefer tls.caFile with the EM certificate.'
  );
}

function parseUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

/** The simulator and tunnels on this machine: nothing crosses a network. */
function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

/** TLS settings apply to https:// only; an http:// URL (the simulator on loopback) never reads them. */
export function usesTls(baseUrl: string): boolean {
  return parseUrl(baseUrl)?.protocol === 'https:';
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
