// Response encoding for the synthetic endpoint, one function per AWS wire protocol, shaped as
// moto (and AWS) answer so the real SDK v3 deserializers parse them: awsQuery XML (STS, SNS),
// ec2Query XML, JSON 1.0/1.1 (CloudTrail, Organizations, KMS, Logs; CloudWatch is JSON 1.0
// in query-compatible mode), and rest-xml (S3, S3 Control).

export interface WireResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

let requestSeq = 0;
export function requestId(): string {
  requestSeq = (requestSeq + 1) % 1e9;
  return `bench-${requestSeq.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`;
}

export function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => (c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '&' ? '&amp;' : c === '"' ? '&quot;' : '&apos;'));
}

/** A value tree rendered as XML elements: arrays repeat `member` (query) or `item` (ec2) children. */
export type XmlValue = string | number | boolean | null | undefined | RawXml | XmlValue[] | { [name: string]: XmlValue };

/** Markup inserted as is (shapes the generic rendering does not cover, e.g. awsQuery maps). */
export class RawXml {
  constructor(readonly markup: string) {}
}

/** An awsQuery map: <entry><key>K</key><value>V</value></entry> per pair. */
export function queryMap(pairs: Record<string, string>): RawXml {
  return new RawXml(Object.entries(pairs).map(([k, v]) => `<entry><key>${escapeXml(k)}</key><value>${escapeXml(v)}</value></entry>`).join(''));
}

export function xml(value: XmlValue, listItem = 'member'): string {
  if (value === null || value === undefined) return '';
  if (value instanceof RawXml) return value.markup;
  if (Array.isArray(value)) return value.map((v) => `<${listItem}>${xml(v, listItem)}</${listItem}>`).join('');
  if (typeof value === 'object') {
    let out = '';
    for (const [k, v] of Object.entries(value)) if (v !== undefined && v !== null) out += `<${k}>${xml(v, listItem)}</${k}>`;
    return out;
  }
  return escapeXml(String(value));
}

const XML_HEADERS = { 'content-type': 'text/xml' };

/** awsQuery success: <OpResponse><OpResult>...</OpResult><ResponseMetadata/></OpResponse>. */
export function queryResponse(operation: string, namespace: string, result: XmlValue): WireResponse {
  const id = requestId();
  return {
    status: 200,
    headers: { ...XML_HEADERS, 'x-amzn-requestid': id },
    body: `<${operation}Response xmlns="${namespace}"><${operation}Result>${xml(result)}</${operation}Result><ResponseMetadata><RequestId>${id}</RequestId></ResponseMetadata></${operation}Response>`,
  };
}

export function queryError(status: number, code: string, message: string): WireResponse {
  const id = requestId();
  return {
    status,
    headers: { ...XML_HEADERS, 'x-amzn-requestid': id },
    body: `<ErrorResponse><Error><Type>Sender</Type><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>${id}</RequestId></ErrorResponse>`,
  };
}

/** ec2Query success: members sit directly under <OpResponse>, lists use <item>. */
export function ec2Response(operation: string, result: XmlValue): WireResponse {
  const id = requestId();
  return {
    status: 200,
    headers: { ...XML_HEADERS, 'x-amzn-requestid': id },
    body: `<${operation}Response xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>${id}</requestId>${xml(result, 'item')}</${operation}Response>`,
  };
}

export function ec2Error(status: number, code: string, message: string): WireResponse {
  const id = requestId();
  return {
    status,
    headers: XML_HEADERS,
    body: `<Response><Errors><Error><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error></Errors><RequestID>${id}</RequestID></Response>`,
  };
}

export function jsonResponse(version: '1.0' | '1.1', value: unknown): WireResponse {
  return {
    status: 200,
    headers: { 'content-type': `application/x-amz-json-${version}`, 'x-amzn-requestid': requestId() },
    body: JSON.stringify(value),
  };
}

/** JSON error; `queryCompatible` adds the awsQuery code header CloudWatch's JSON 1.0 clients read. */
export function jsonError(version: '1.0' | '1.1', status: number, code: string, message: string, queryCompatible = false): WireResponse {
  const headers: Record<string, string> = {
    'content-type': `application/x-amz-json-${version}`,
    'x-amzn-requestid': requestId(),
    'x-amzn-errortype': code,
  };
  if (queryCompatible) headers['x-amzn-query-error'] = `${code};Sender`;
  return { status, headers, body: JSON.stringify({ __type: code, message }) };
}

const S3_NS = 'http://s3.amazonaws.com/doc/2006-03-01/';

/** rest-xml success with `root` as the document element (the operation's payload shape). */
export function restXml(root: string, inner: XmlValue | string, listItem = 'member'): WireResponse {
  const body = typeof inner === 'string' ? inner : xml(inner, listItem);
  return {
    status: 200,
    headers: { ...XML_HEADERS, 'x-amz-request-id': requestId() },
    body: `<?xml version="1.0" encoding="UTF-8"?><${root} xmlns="${S3_NS}">${body}</${root}>`,
  };
}

export function rawResponse(contentType: string, body: string): WireResponse {
  return { status: 200, headers: { 'content-type': contentType, 'x-amz-request-id': requestId() }, body };
}

export function s3Error(status: number, code: string, message: string, extra: Record<string, string> = {}): WireResponse {
  const id = requestId();
  return {
    status,
    headers: { ...XML_HEADERS, 'x-amz-request-id': id },
    body: `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message>${xml(extra)}<RequestId>${id}</RequestId></Error>`,
  };
}
