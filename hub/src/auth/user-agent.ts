/** Browsers and clients by the token their User-Agent names them with; the first that matches wins. */
const CLIENTS: Array<[RegExp, string]> = [
  [/Edg(?:A|iOS)?\/(\d+)/, 'Edge'],
  [/OPR\/(\d+)/, 'Opera'],
  [/(?:Firefox|FxiOS)\/(\d+)/, 'Firefox'],
  [/(?:Chrome|CriOS)\/(\d+)/, 'Chrome'],
  [/Version\/(\d+)[^ ]* (?:Mobile\/\S+ )?Safari\//, 'Safari'],
  [/HomeAssistant\/(\d+)/, 'Home Assistant'],
  [/curl\/(\d+)/, 'curl'],
  [/python-requests\/(\d+)/, 'Python requests'],
];
const SYSTEMS: Array<[RegExp, string]> = [
  [/Android/, 'Android'],
  [/iPhone|iPad|iOS/, 'iOS'],
  [/CrOS/, 'ChromeOS'],
  [/Windows/, 'Windows'],
  [/Mac OS X|Macintosh/, 'macOS'],
  [/Linux/, 'Linux'],
];

/** "Firefox 133 on Android" is what a parent recognises; the full header is noise (and unbounded). */
export function shortenUserAgent(userAgent: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what is being removed
  const ua = userAgent.replace(/[\u0000-\u001f\u007f]/g, ' ').trim();
  const client = CLIENTS.map(([pattern, name]) => [pattern.exec(ua), name] as const).find(([m]) => m);
  if (!client) return ua.slice(0, 200);
  const [match, name] = client;
  const system = SYSTEMS.find(([pattern]) => pattern.test(ua))?.[1];
  return `${name} ${match![1]}${system ? ` on ${system}` : ''}`;
}
