// Request bodies, encoded in the client's media type. XML elements follow the schema's
// xs:sequence order (the docs require it, §1); JSON uses the same order for readability.

import type { MediaType } from '../playbook/types.js';
import type { ApiCall } from './types.js';
import { buildJson } from './json.js';
import { buildXml } from './xml.js';

export const CONTENT_TYPE: Record<MediaType, string> = {
  xml: 'application/xml',
  json: 'application/json',
};

type Fields = (readonly [string, string | boolean | undefined])[];

/** The exact body and Content-Type sent for `call`; both absent when it has no body. */
export function encodeBody(call: ApiCall, media: MediaType): { contentType?: string; body?: string } {
  const body = call.body;
  if (!body) return {};
  let root: string;
  let fields: Fields;
  switch (body.kind) {
    case 'CdpFailoverStartSpec':
      root = body.kind;
      fields = [
        ['RestoreCurrent', body.spec.restoreCurrent],
        ['RestoreCurrentVss', body.spec.restoreCurrentVss],
        ['RestoreAtInterval', body.spec.restoreAtInterval],
        // Spec §12 #4: the doc table spells it "PointinTime" (XML), the JSON example "PointInTime".
        [media === 'xml' ? 'RestoreAtPointinTime' : 'RestoreAtPointInTime', body.spec.restoreAtPointInTime],
      ];
      break;
    case 'FailoverPlanManagementSpec':
      root = body.kind;
      fields = 'startNow' in body.spec ? [['StartNow', true]] : [['StartDate', body.spec.startDate]];
      break;
    case 'CdpReplicaIntervalsSpec':
      // The root is not documented (§12 #6); EM accepts any root holding StartDate/EndDate.
      root = body.kind;
      fields = [
        ['StartDate', body.start],
        ['EndDate', body.end],
      ];
      break;
  }
  return {
    contentType: CONTENT_TYPE[media],
    body: media === 'xml' ? buildXml(root, fields) : buildJson(fields),
  };
}
