package io.tokenrouter.proxy;

import io.tokenrouter.api.GatewayException;
import io.tokenrouter.config.GatewaySettings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Reads request bodies up to {@code max_body_bytes}; a larger one is refused with 413 without reading it all. */
@ApplicationScoped
public class RequestBodies {

    @Inject
    GatewaySettings settings;

    byte[] read(InputStream in, String contentLength) {
        long limit = settings.maxBodyBytes();
        if (contentLength != null) {
            try {
                if (Long.parseLong(contentLength.trim()) > limit) {
                    throw GatewayException.bodyTooLarge(limit);
                }
            } catch (NumberFormatException e) {
                throw GatewayException.invalidRequest(null, "Content-Length is not a number.");
            }
        }
        try {
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
            if (bytes.length > limit) {
                throw GatewayException.bodyTooLarge(limit);
            }
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read the request body", e);
        }
    }
}
