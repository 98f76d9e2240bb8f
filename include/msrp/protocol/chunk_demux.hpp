#pragma once
/// \file
/// The read side of an MSRP connection as a sans-IO algorithm: bytes in,
/// whole chunks or segments out, each for the session it belongs to.

#include <msrp/protocol/byte_range.hpp>
#include <msrp/protocol/chunk_parser.hpp>
#include <msrp/protocol/incoming_chunk.hpp>
#include <msrp/protocol/uri.hpp>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>
#include <system_error>

namespace msrp {

/// What one call of `chunk_demux::step()` produced.
enum class demux_event : std::uint8_t {
    need_more,       ///< give more bytes (keep the unconsumed ones in front of them)
    head,            ///< a chunk's head was read; nothing to hand out yet
    body,            ///< body bytes were read; nothing to hand out yet
    chunk,           ///< a whole chunk for session `to`: `take()` it
    segment,         ///< a segment of a chunk for session `to` (the reader): `take()` it
    unknown_session, ///< a whole chunk whose To-Path names no session: `take()` it, then offer it
                     ///< elsewhere or give it to `router::fallback_session()` (it answers 481)
    skipped,         ///< a chunk ended that nobody takes (its session left): nothing to hand out
    error,           ///< `chunk_demux::result::ec` says why; the demux stays failed
};

/// Chunks of several sessions over one connection (RFC 4975 §5.4), on top
/// of `chunk_parser`. The caller owns the bytes and the sessions; the demux
/// owns the chunk being read.
///
/// Call `step(input, reader, routes)` with the bytes not consumed yet; it
/// returns one event and how many bytes it used (drop them before the next
/// call; the bytes it did not use must be passed again, followed by new
/// ones). A chunk goes to the session its To-Path names (`router`), and is
/// handed out whole, or, when it is the reader's and the reader asks for
/// segments, in segments: a segment goes out only when the next bytes are
/// not there yet, so a chunk that is complete in the input comes out whole.
/// A segment's Byte-Range is narrowed to the bytes it carries and its flag
/// is `+` but for the last one, which carries the chunk's own flag.
///
/// Memory: the demux keeps one chunk, the one being read. A whole chunk's
/// body is at most `max_chunk_body_bytes` (`errc::body_too_large` beyond);
/// a chunk read for segments keeps only the bytes of its next segment,
/// about `segment_bytes` plus what the last input brought (it comes out
/// whole only when it was complete in one input), and is not limited.
/// `take()` swaps the chunk into the caller's object, so a caller that
/// passes the same object each time reads without allocating once warm.
class chunk_demux {
public:
    /// A session of the connection, as the caller numbers them.
    using slot = std::uint32_t;
    /// No session (`take()` for nobody in particular, a chunk nobody reads in segments).
    static constexpr slot no_slot = std::numeric_limits<slot>::max();
    /// Largest whole chunk body kept in memory (default 16 MiB).
    static constexpr std::uint64_t default_max_chunk_body_bytes = 16u << 20;

    /// Which sessions the connection carries; implemented by the caller.
    /// The demux remembers the last route it was told (see `forget_routes`).
    class router {
    public:
        /// The session whose URI is `to`, the first URI of a To-Path (at an
        /// endpoint its only one, RFC 4975 §7.3), or `no_slot`.
        virtual slot find_session(const URI& to) const = 0;
        /// Who gets a chunk that names no session the demux can read (a
        /// To-Path that does not parse, every chunk when `routes_by_to_path`
        /// is false): `reader` if it still is on the connection, else any
        /// session of it; `no_slot` when none is left.
        virtual slot fallback_session(slot reader) const = 0;
        /// False when every chunk goes to `fallback_session`: one session,
        /// and nobody to offer chunks for unknown sessions to. To-Paths are
        /// then not read at all.
        virtual bool routes_by_to_path() const = 0;

    protected:
        ~router() = default;
    };

    /// The session that calls `step()`, and whether it wants its chunks in
    /// segments: of about `segment_bytes` (0: as soon as any body bytes are
    /// at hand). Chunks for other sessions are always read whole.
    struct reader {
        slot id = 0;
        std::optional<std::size_t> segment_bytes;
    };

    explicit chunk_demux(parser_options options = {},
                         std::uint64_t max_chunk_body_bytes = default_max_chunk_body_bytes);

    struct result {
        demux_event event = demux_event::need_more;
        /// Bytes of the input used; drop them before the next call.
        std::size_t consumed = 0;
        /// The bytes used, as they came (a head, body bytes, an end-line;
        /// empty when none): what a traffic log shows. Views the input.
        std::string_view wire;
        /// For `chunk` and `segment`: the session it is for.
        slot to = no_slot;
        std::error_code ec; ///< for `error`
    };

    /// One event over `input`, routed by `routes` among the sessions,
    /// with `who` reading. While a chunk is read in segments, only its
    /// session (`segment_owner()`) may be the reader. `result::wire` views
    /// `input`. Errors (final): every `chunk_parser` error, and
    /// `errc::body_too_large` for a whole chunk over `max_chunk_body_bytes`.
    result step(std::string_view input, const reader& who, const router& routes);
    /// As above for a single session: every chunk is `who`'s.
    result step(std::string_view input, const reader& who);

    /// Hands the chunk or segment of the last `chunk`, `segment` or
    /// `unknown_session` result to `out`, on behalf of session `to` (the one
    /// that keeps it; `no_slot` for none in particular), and sets
    /// `out.same_paths_as_previous`. A whole chunk is swapped with `out`:
    /// the next head is copied into the buffers `out` held. A segment gets a
    /// copy of the head and the bytes; the buffer `out.data` held is reused
    /// for the next segment. What is not taken before the next `step()` is
    /// dropped. Does nothing when there is nothing to take.
    void take(IncomingChunk& out, slot to);

    /// The session `s` left: the rest of a chunk it was reading in
    /// segments is skipped; a whole chunk being read for it goes to
    /// `router::fallback_session()` when it ends. Forgets the routes.
    void session_left(slot s) noexcept;
    /// The sessions or their URIs changed: the route learnt last is forgotten,
    /// and no chunk handed out next counts as having the same paths.
    void forget_routes() noexcept;

    /// The session a chunk being read in segments belongs to until it
    /// ends; `no_slot` when there is none or its session left.
    slot segment_owner() const noexcept { return state_ == state::segmented ? owner_ : no_slot; }
    /// True while a chunk read in segments is in progress, its session gone or not.
    bool reading_in_segments() const noexcept { return state_ == state::segmented || state_ == state::skipping; }
    /// True when no chunk is in progress (bytes of a next head may be).
    bool between_chunks() const noexcept { return state_ == state::between; }

    /// Call when the input ends with `unconsumed` bytes not consumed: no
    /// error between chunks, else the error that explains the unfinished
    /// chunk (see `chunk_parser::finish`), or the demux's own error.
    std::error_code finish(std::size_t unconsumed = 0) const noexcept;

    const chunk_parser& parser() const noexcept { return parser_; }
    std::uint64_t max_chunk_body_bytes() const noexcept { return max_chunk_body_bytes_; }

private:
    enum class state : std::uint8_t { between, whole, segmented, skipping, failed };
    enum class ready : std::uint8_t { none, whole, segment };

    result advance(std::string_view input, const reader& who, const router* routes);
    result on_head(std::string_view wire, const reader& who, const router* routes);
    result on_end(std::string_view wire, const reader& who, const router* routes);
    slot route(const chunk_head& head, const reader& who, const router* routes);
    ByteRange next_segment_range() noexcept;
    void drop_ready() noexcept;
    result fail(std::error_code ec, std::string_view wire = {});

    chunk_parser parser_;
    std::uint64_t max_chunk_body_bytes_;
    state state_ = state::between;
    std::error_code error_; ///< once failed
    /// The chunk being read: head and body of a whole chunk, or head and
    /// the bytes of the next segment.
    IncomingChunk chunk_;
    ready ready_ = ready::none;
    slot ready_to_ = no_slot;
    bool last_segment_ = false;
    // A whole chunk: the session it is for, whether its To-Path named none,
    // whether that session left while it was read.
    slot dest_ = no_slot;
    bool dest_unknown_ = false;
    bool dest_left_ = false;
    // A chunk read in segments: its session, the Byte-Range the head
    // announced (start 1, the rest unknown without one), and where the next
    // segment starts.
    slot owner_ = no_slot;
    ByteRange announced_;
    std::uint64_t next_segment_start_ = 1;
    // The route of the last head, when a lookup found it: the next head
    // with the same paths (the parser tells) goes there without one.
    slot last_route_ = no_slot;
    // Who took the current chunk and the previous one (no_slot: nobody, or
    // the routes changed since): same_paths_as_previous relates a chunk
    // to the previous one only when both went to the same session.
    bool head_same_paths_ = false;
    slot taker_ = no_slot;
    slot previous_taker_ = no_slot;
};

} // namespace msrp
