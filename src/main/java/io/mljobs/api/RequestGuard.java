package io.mljobs.api;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.mljobs.config.MlJobsConfig;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;

/**
 * Problem bodies for what never reaches Quarkus REST: requests refused by the router (too large,
 * URI or headers too long, no Host) and errors the router answers itself (404, 405, failures),
 * which Quarkus would otherwise answer with an empty body or its own error page.
 */
@ApplicationScoped
public class RequestGuard {

    private static final Logger LOG = Logger.getLogger(RequestGuard.class);
    /** Before the body handler (MIN_VALUE + 1, added after us) and Quarkus' own 413 check at -2. */
    static final int ORDER = Integer.MIN_VALUE + 1;

    private final long maxBodySize;
    private final int maxUriLength;
    private final int maxHeaderSize;

    public RequestGuard(MlJobsConfig config) {
        this.maxBodySize = config.http().maxBodySize().asLongValue();
        this.maxUriLength = config.http().maxUriLength();
        this.maxHeaderSize = config.http().maxHeaderSize();
    }

    void install(@Observes Router router) {
        router.route().order(ORDER).handler(this::guard);
        router.route().order(ORDER).failureHandler(this::failed);
        for (int status : new int[] { 400, 404, 405, 413, 414, 431, 500 }) {
            router.errorHandler(status, this::failed);
        }
    }

    private void guard(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        if (request.version() == HttpVersion.HTTP_1_1 && request.headers().get(HttpHeaders.HOST) == null) {
            respond(ctx, 400, "HTTP/1.1 requests must carry a Host header.");
        } else if (request.uri().length() > maxUriLength) {
            respond(ctx, 414, "The request target must be at most " + maxUriLength + " characters, was "
                    + request.uri().length() + ".");
        } else if (!wellEncoded(request.uri())) {
            // Netty lets well-formed escapes of non-UTF-8 bytes through; refuse them before anything decodes them.
            respond(ctx, 400, "The request target has a '%' not followed by two hex digits, or percent-encodes "
                    + "bytes that are not UTF-8.");
        } else if (headerSize(request) > maxHeaderSize) {
            respond(ctx, 431, "The request headers must total at most " + maxHeaderSize + " bytes.");
        } else {
            String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
            long declared = parseLength(length);
            if (length != null && declared < 0) {
                respond(ctx, 400, "Content-Length must be a non-negative whole number.");
            } else if (declared > maxBodySize) {
                // Refuse before reading: the client may still be sending, so do not keep the connection.
                ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
                respond(ctx, 413, "The request body must be at most " + maxBodySize + " bytes, Content-Length was "
                        + declared + ".");
            } else {
                ctx.next();
            }
        }
    }

    private void failed(RoutingContext ctx) {
        Throwable failure = ctx.failure();
        if (failure != null && failure.getClass().getName().startsWith("io.quarkus.security.")) {
            ctx.next(); // Quarkus answers these with its authentication challenge.
            return;
        }
        int status = failure instanceof HttpException http ? http.getStatusCode() : ctx.statusCode();
        if (status < 400 || status > 599) {
            status = 500;
        }
        if (ctx.request().bytesRead() > maxBodySize) {
            status = 413; // a chunked body past the limit: Quarkus stops reading and fails the request
        }
        if (ctx.response().headWritten()) {
            ctx.response().reset(); // too late for a problem body; at least do not leave the client waiting
            return;
        }
        if (status >= 500) {
            String reference = Long.toHexString(System.nanoTime());
            LOG.errorf(failure, "unexpected failure outside the REST layer (reference %s)", reference);
            respond(ctx, status, "The request failed on the server; reference " + reference + " in its log.");
        } else {
            respond(ctx, status, null);
        }
    }

    /** Every '%' starts a %XX escape and the escapes decode to valid UTF-8. */
    static boolean wellEncoded(String uri) {
        if (uri.indexOf('%') < 0) {
            return true;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(uri.length());
        for (int i = 0; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c == '%') {
                if (i + 2 >= uri.length() || Character.digit(uri.charAt(i + 1), 16) < 0
                        || Character.digit(uri.charAt(i + 2), 16) < 0) {
                    return false;
                }
                bytes.write(Character.digit(uri.charAt(i + 1), 16) * 16 + Character.digit(uri.charAt(i + 2), 16));
                i += 2;
            } else {
                bytes.write(c < 0x80 ? c : '?');
            }
        }
        try {
            StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes.toByteArray()));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    private static long headerSize(HttpServerRequest request) {
        long size = 0;
        for (Map.Entry<String, String> header : request.headers()) {
            size += header.getKey().length() + header.getValue().length() + 4; // ": " and CRLF
        }
        return size;
    }

    /** The declared length, or -1 if it is not a non-negative number (or absent). */
    private static long parseLength(String value) {
        if (value == null) {
            return -1;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static void respond(RoutingContext ctx, int status, String detail) {
        Problem base = StatusProblems.of(status);
        RouteProblems.send(ctx, new Problem(base.type(), base.title(), status, detail == null ? base.detail() : detail,
                null));
    }
}
