export const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
