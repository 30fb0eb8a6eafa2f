package io.tokenrouter.proxy;

/** Where a request came from, as far as the gateway can tell, and the conversation it names, if any. */
record ClientInfo(String ip, String userAgent, String conversationId) {
}
