package io.tokenrouter.proxy;

/** Where a request came from, as far as the gateway can tell. */
record ClientInfo(String ip, String userAgent) {
}
