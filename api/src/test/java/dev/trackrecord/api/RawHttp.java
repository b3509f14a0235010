package dev.trackrecord.api;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * An HTTP/1.1 exchange over a plain socket, one connection per request, so a test can send what
 * no HTTP client would: invalid UTF-8 in the request line, header lines without a colon, bodies
 * that disagree with their Content-Length. Reads one response (Content-Length, chunked, or until
 * the server closes).
 */
final class RawHttp {
    /** The server's answer, or what happened instead. */
    record Response(int status, List<String[]> headers, byte[] body, Outcome outcome) {
        Optional<String> header(String name) {
            for (String[] h : headers) {
                if (h[0].equalsIgnoreCase(name)) {
                    return Optional.of(h[1]);
                }
            }
            return Optional.empty();
        }

        String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    enum Outcome {
        /** A complete response. */
        ANSWERED,
        /** The server closed the connection before a status line. */
        CLOSED,
        /** No (complete) response within the timeout. */
        TIMED_OUT,
        /** The server closed or reset the connection in the middle of a response. */
        BROKEN
    }

    private static final int MAX_HEAD = 64 * 1024;

    private RawHttp() {
    }

    /**
     * Sends {@code request} to 127.0.0.1:{@code port} and reads one response.
     *
     * @param halfClose shut down the sending side after the request, for requests whose declared
     *                  body is longer than what they send (else both sides would wait)
     */
    static Response exchange(int port, byte[] request, boolean halfClose, int timeoutMillis) throws IOException {
        return exchange(port, request, halfClose, false, timeoutMillis);
    }

    /** As above; with {@code head}, the response has no body whatever its headers say (a HEAD request). */
    static Response exchange(int port, byte[] request, boolean halfClose, boolean head, int timeoutMillis)
            throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), timeoutMillis);
            socket.setSoTimeout(timeoutMillis);
            socket.setTcpNoDelay(true);
            OutputStream out = socket.getOutputStream();
            try {
                out.write(request);
                out.flush();
                if (halfClose) {
                    socket.shutdownOutput();
                }
            } catch (IOException e) {
                // The server may answer and close before it read all of a large request.
            }
            Response response;
            do {
                // Skip interim answers such as 100 Continue.
                response = read(socket.getInputStream(), head);
            } while (response.outcome() == Outcome.ANSWERED && response.status() >= 100 && response.status() < 200);
            return response;
        }
    }

    private static Response read(InputStream in, boolean headRequest) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        try {
            int state = 0;
            while (state < 4) {
                int b = in.read();
                if (b < 0) {
                    return new Response(0, List.of(), head.toByteArray(),
                            head.size() == 0 ? Outcome.CLOSED : Outcome.BROKEN);
                }
                head.write(b);
                state = switch (state) {
                    case 0, 2 -> b == '\r' ? state + 1 : 0;
                    case 1, 3 -> b == '\n' ? state + 1 : (b == '\r' ? 1 : 0);
                    default -> 0;
                };
                if (head.size() > MAX_HEAD) {
                    return new Response(0, List.of(), head.toByteArray(), Outcome.BROKEN);
                }
            }
        } catch (SocketTimeoutException e) {
            return new Response(0, List.of(), head.toByteArray(), Outcome.TIMED_OUT);
        } catch (IOException e) {
            return new Response(0, List.of(), head.toByteArray(), head.size() == 0 ? Outcome.CLOSED : Outcome.BROKEN);
        }
        String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        String[] statusLine = lines[0].split(" ", 3);
        int status = statusLine.length >= 2 && statusLine[1].matches("[0-9]{3}") ? Integer.parseInt(statusLine[1]) : -1;
        List<String[]> headers = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.add(new String[] {lines[i].substring(0, colon).trim(), lines[i].substring(colon + 1).trim()});
            }
        }
        Response withHead = new Response(status, headers, new byte[0], Outcome.ANSWERED);
        try {
            byte[] body;
            Optional<String> length = withHead.header("Content-Length");
            if (headRequest || status == 204 || status == 304 || (status >= 100 && status < 200)) {
                body = new byte[0];
            } else if (withHead.header("Transfer-Encoding").map(v -> v.toLowerCase(Locale.ROOT).contains("chunked"))
                    .orElse(false)) {
                body = chunked(in);
            } else if (length.isPresent()) {
                body = in.readNBytes(Integer.parseInt(length.get()));
                if (body.length < Integer.parseInt(length.get())) {
                    return new Response(status, headers, body, Outcome.BROKEN);
                }
            } else {
                body = in.readAllBytes();
            }
            return new Response(status, headers, body, Outcome.ANSWERED);
        } catch (SocketTimeoutException e) {
            return new Response(status, headers, new byte[0], Outcome.TIMED_OUT);
        } catch (IOException | RuntimeException e) {
            return new Response(status, headers, new byte[0], Outcome.BROKEN);
        }
    }

    private static byte[] chunked(InputStream in) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = line(in);
            int semicolon = sizeLine.indexOf(';');
            int size = Integer.parseInt((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
            if (size == 0) {
                while (!line(in).isEmpty()) {
                    // trailers
                }
                return body.toByteArray();
            }
            byte[] chunk = in.readNBytes(size);
            if (chunk.length < size) {
                throw new IOException("connection closed inside a chunk");
            }
            body.write(chunk);
            line(in);
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            if (b != '\r') {
                line.write(b);
            }
        }
        if (b < 0) {
            throw new IOException("connection closed inside a chunked body");
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }
}
