declare module 'proxy-from-env' {
  /** The proxy URL for `url` from HTTPS_PROXY/HTTP_PROXY/NO_PROXY, or '' for a direct connection. */
  export function getProxyForUrl(url: string): string;
}
