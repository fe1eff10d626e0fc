import { describe, expect, it } from 'vitest';
import { REDACTED, redact, withoutUserInfo } from './redact.js';

describe('redact', () => {
  it('withholds AssumeRole credentials and keeps the rest of the answer', () => {
    const output = {
      Credentials: { AccessKeyId: 'ASIAXXXXEXAMPLE', SecretAccessKey: 's3cr3t', SessionToken: 'tok', Expiration: new Date('2030-01-01T00:00:00Z') },
      AssumedRoleUser: { Arn: 'arn:aws:sts::111122223333:assumed-role/R/s', AssumedRoleId: 'AROA:s' },
    };
    const r = redact(output, 'output');
    expect(r.value).toEqual({ Credentials: REDACTED, AssumedRoleUser: output.AssumedRoleUser });
    expect(r.paths).toEqual(['output.Credentials']);
    expect(JSON.stringify(r.value)).not.toMatch(/ASIAXXXXEXAMPLE|s3cr3t|"tok"/);
  });

  it('withholds any field named like a secret, at any depth and in arrays, whatever its case', () => {
    const r = redact({
      a: [{ authorizationHeader: 'x' }, { nested: { client_secret: 'y', PASSWORD: 'z' } }],
      NextToken: 'page-2',
      ExternalId: 'ext',
      keep: 'visible',
    });
    expect(r.value).toEqual({
      a: [{ authorizationHeader: REDACTED }, { nested: { client_secret: REDACTED, PASSWORD: REDACTED } }],
      NextToken: REDACTED,
      ExternalId: REDACTED,
      keep: 'visible',
    });
    expect(r.paths).toEqual(['a[0].authorizationHeader', 'a[1].nested.client_secret', 'a[1].nested.PASSWORD', 'NextToken', 'ExternalId']);
  });

  it('turns SDK values into JSON: dates, bytes, big integers, streams; drops undefined', () => {
    const r = redact({ when: new Date('2026-01-02T03:04:05Z'), bytes: new Uint8Array([1, 2, 3]), big: 10n, gone: undefined, body: { pipe() {} } });
    expect(r.value).toEqual({ when: '2026-01-02T03:04:05.000Z', bytes: { base64: 'AQID' }, big: '10', body: '[not recorded: a stream]' });
  });

  it('drops user and password from an endpoint URL', () => {
    expect(withoutUserInfo('https://user:pw@example.com:4566/')).toBe('https://example.com:4566/');
    expect(withoutUserInfo(undefined)).toBeNull();
  });
});
