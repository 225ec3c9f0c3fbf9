/** A broker URL without the password it may carry (mqtt://user:secret@host): for logs and events. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:@/]*):[^@/]*@/i, '$1:[redacted]@');
}
