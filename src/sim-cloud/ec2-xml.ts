import { escapeXml } from '../api/query/xml.ts';

/** The EC2 API namespace of every response. */
export const EC2_NAMESPACE = 'http://ec2.amazonaws.com/doc/2016-11-15/';

/**
 * A value the EC2 writer can serialise. Object key order is element order; arrays become
 * `<item>` children (the ec2 protocol's list members); undefined members are omitted.
 */
export type Ec2XmlValue =
  string | number | boolean | Date | undefined | Ec2XmlValue[] | { [name: string]: Ec2XmlValue };

function write(out: string[], value: Ec2XmlValue): void {
  if (value === undefined) return;
  if (typeof value === 'string') out.push(escapeXml(value));
  else if (typeof value === 'number' || typeof value === 'boolean') out.push(String(value));
  else if (value instanceof Date) out.push(value.toISOString());
  else if (Array.isArray(value)) {
    for (const item of value) {
      if (item === undefined) continue;
      out.push('<item>');
      write(out, item);
      out.push('</item>');
    }
  } else {
    for (const [name, child] of Object.entries(value)) {
      if (child === undefined) continue;
      out.push('<', name, '>');
      write(out, child);
      out.push('</', name, '>');
    }
  }
}

/** `<{Action}Response xmlns=…><requestId>…</requestId>…body…</{Action}Response>`. Pure. */
export function ec2SuccessXml(action: string, requestId: string, body: Record<string, Ec2XmlValue>): string {
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>\n',
    `<${action}Response xmlns="${EC2_NAMESPACE}">`,
    '<requestId>',
    escapeXml(requestId),
    '</requestId>',
  ];
  write(out, body);
  out.push(`</${action}Response>`);
  return out.join('');
}

/** The EC2 error envelope `<Response><Errors><Error><Code/><Message/></Error></Errors><RequestID/></Response>`. Pure. */
export function ec2ErrorXml(code: string, message: string, requestId: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error>' +
    `<Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message>` +
    `</Error></Errors><RequestID>${escapeXml(requestId)}</RequestID></Response>`
  );
}
