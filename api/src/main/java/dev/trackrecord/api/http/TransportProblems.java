package dev.trackrecord.api.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.DirectHandlers;

/**
 * Problem+json answers for requests Helidon refuses before routing: a malformed request line or
 * header, a URI or header section too long, an unsupported HTTP version or transfer coding.
 * These are the client's errors, so they are 4xx even where Helidon would say 501 or 505; only a
 * failure inside the server stays a 500.
 */
public final class TransportProblems {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TransportProblems() {
    }

    /** Direct handlers for every event type, for {@code WebServer.Builder#directHandlers}. */
    public static DirectHandlers handlers() {
        DirectHandlers.Builder builder = DirectHandlers.builder();
        DirectHandler handler = TransportProblems::answer;
        for (DirectHandler.EventType type : DirectHandler.EventType.values()) {
            builder.addHandler(type, handler);
        }
        return builder.build();
    }

    private static DirectHandler.TransportResponse answer(DirectHandler.TransportRequest request,
                                                          DirectHandler.EventType event, Status status,
                                                          io.helidon.http.ServerResponseHeaders headers,
                                                          String message) {
        int code = status.code();
        String type;
        String title;
        String detail = message == null || message.isBlank() ? status.reasonPhrase() : message;
        if (event == DirectHandler.EventType.HTTP_VERSION_NOT_SUPPORTED) {
            code = 400;
            type = "unsupported-http-version";
            title = "HTTP version not supported";
            detail = "HTTP version: must be HTTP/1.1, was '" + abbreviate(request.protocolVersion()) + "'";
        } else if (code >= 500 && event != DirectHandler.EventType.INTERNAL_ERROR) {
            code = 400;
            type = "bad-request";
            title = "Bad request";
            detail = "the request is not one this server can read: " + detail;
        } else {
            type = switch (code) {
                case 403 -> "forbidden";
                case 404 -> "not-found";
                case 413 -> "body-too-large";
                case 414 -> "uri-too-long";
                case 431 -> "headers-too-large";
                case 500 -> "internal";
                default -> "bad-request";
            };
            title = status.reasonPhrase();
        }
        ObjectNode body = JSON.createObjectNode();
        body.put("type", Problems.TYPE_PREFIX + type);
        body.put("title", title);
        body.put("status", code);
        body.put("detail", detail);
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return DirectHandler.TransportResponse.builder()
                .status(Status.create(code))
                .headers(headers)
                .header(HeaderNames.CONTENT_TYPE, Problems.MEDIA_TYPE)
                .keepAlive(false)
                .entity(bytes)
                .build();
    }

    private static String abbreviate(String value) {
        return value == null ? "" : value.length() <= 40 ? value : value.substring(0, 40) + "...";
    }
}
