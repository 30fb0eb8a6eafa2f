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

    /**
     * The body: with a Content-Length, read into an array of that size (the container delivers no more); without one
     * (chunked), read up to the limit and one byte beyond, which refuses it.
     */
    public byte[] read(InputStream in, String contentLength) {
        long limit = settings.maxBodyBytes();
        long announced = -1;
        if (contentLength != null) {
            try {
                announced = Long.parseLong(contentLength.trim());
            } catch (NumberFormatException e) {
                throw GatewayException.invalidRequest(null, "Content-Length is not a number.");
            }
            if (announced > limit) {
                throw GatewayException.bodyTooLarge(limit);
            }
        }
        try {
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, announced >= 0 ? announced : limit + 1));
            if (bytes.length > limit) {
                throw GatewayException.bodyTooLarge(limit);
            }
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read the request body", e);
        }
    }
}
