// Constants of the per-topology Toxiproxy server: its API port, and where the link proxies listen
// inside its container (one port per link, in the order the topology declares its links).

export const TOXIPROXY_API_PORT = 8474;
/** First listen port of the link proxies inside the Toxiproxy container. */
export const FIRST_PROXY_PORT = 20_000;
