#pragma once
/// \file
/// The seed's traffic `Logger`: connection state changes and every byte a
/// transport writes or reads.

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>

namespace msrp {

/// Which way bytes went: `in` read from the peer, `out` written to it.
enum class traffic_direction : std::uint8_t { in, out };

/// What a log line says about the connection it comes from.
struct connection_info {
    std::uint64_t id = 0;   ///< unique per process, in creation order
    std::string local;      ///< "address:port"
    std::string remote;     ///< "address:port"
    bool tls = false;
};

/// What happened to a connection; loggers print the enumerator's name.
enum class connection_state : std::uint8_t {
    connecting,    ///< a connect to `remote` started
    connected,     ///< TCP is up (before TLS)
    tls_handshake, ///< TLS is up; `peer_fingerprint` says who the peer is
    bound,         ///< To-Path/From-Path checked: the transport is ready
    closed,        ///< the connection is gone; `ec` says why (empty: closed by us)
    error,         ///< a failure that ends the connection or an operation
};

/// A change in a connection's state, as `Logger::on_state` receives it.
struct connection_event {
    connection_state state;
    const connection_info& connection;
    std::error_code ec;            ///< for closed and error
    std::string_view detail;       ///< a readable explanation, may be empty
    std::string_view peer_fingerprint; ///< for tls_handshake: "sha-256 AB:CD:..."
};

/// Receives what transports do. Called on the transport's executor, never
/// concurrently for one transport; implementations must not block.
///
/// Data is reported in wire order, split at chunk boundaries: a call never
/// spans two chunks, and `starts_chunk` is true for the call that holds the
/// first bytes of a chunk (its start line). Within a chunk the bytes may be
/// split anywhere (a read can end in the middle of a line or a character).
///
/// The views in the arguments are valid only during the call.
///
/// Thread safety: the loggers made below hold no lock. Several transports
/// may share one as long as they run on one thread (one `io_context` run by
/// one thread); a logger shared across threads needs the caller's
/// synchronisation around every call.
class Logger {
public:
    virtual ~Logger() = default;
    /// A connection changed state.
    virtual void on_state(const connection_event& event) = 0;
    /// `bytes` were written (`out`) or read (`in`) on `connection`.
    virtual void on_data(traffic_direction direction, const connection_info& connection, std::string_view bytes,
                         bool starts_chunk) = 0;
};

/// Text as MSRP traces are usually printed, for people: one block per chunk,
/// headed by time, direction (`>>>` out, `<<<` in), connection and
/// addresses; wire lines without their CR; state changes one line each
/// (`---`). Times are UTC, `2026-11-27 09:01:02.123456`.
///
/// A chunk's block is printed whole once its end-line has arrived, so that
/// blocks of connections that interleave stay readable; it carries the time
/// of its first bytes. A block still open is printed, marked incomplete,
/// when the next chunk in that direction starts, when its connection is
/// `closed`, and when the logger is destroyed.
///
/// Bodies: at most `max_body_bytes` octets of each chunk's body are shown,
/// followed by `[... N octets not shown ...]`; a body that is not UTF-8
/// text (invalid UTF-8 or a NUL octet) is shown as `[binary, N octets]`.
/// Control characters other than line ends, and invalid UTF-8 in heads,
/// are escaped (`\t`, `\r`, `\x1b`, `\u0085`): the log holds no control
/// character but '\n'. Use the JSON logger for an exact record.
///
/// Memory: per open block, its head (display capped at 64 KiB) and
/// `max_body_bytes`; the state of a connection is dropped on `closed`.
///
/// Object lifetimes: `out` must outlive the logger. Exceptions: what `out`
/// throws if its exceptions are enabled, and `std::bad_alloc`.
std::shared_ptr<Logger> make_text_logger(std::ostream& out, std::size_t max_body_bytes = 4096);

/// JSON lines for tools: one object per call, written as one whole line.
/// Keys, in this order:
/// - "time": ISO 8601 UTC with microseconds, "2026-11-27T09:01:02.123456Z"
/// - "connection": the connection id (number)
/// - "event": the state name ("connecting", "connected", "tls_handshake",
///   "bound", "closed", "error"), or "direction": "in" | "out"
/// - "local", "remote" (strings), "tls" (boolean)
/// - "error": {"category", "value", "message"}, only when `ec` is set
/// - "detail", "fingerprint": only when not empty
/// - "bytes": the call's bytes as a string if they are valid UTF-8, else
///   their base64 (RFC 4648, padded) and "encoding": "base64". Each call
///   is judged alone: a character split across two calls makes both base64.
/// - "starts_chunk" (boolean), with "bytes"
///
/// Object lifetimes: `out` must outlive the logger. Exceptions: what `out`
/// throws if its exceptions are enabled, and `std::bad_alloc`.
std::shared_ptr<Logger> make_json_logger(std::ostream& out);

} // namespace msrp
