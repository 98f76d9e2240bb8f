#pragma once
/// \file
/// Reassembling messages from received SEND chunks (RFC 4975 §7.3.1), with
/// no I/O: chunks in, whole messages or message pieces out.

#include <msrp/detail/ident_map.hpp>
#include <msrp/protocol/chunk.hpp>
#include <msrp/protocol/range_set.hpp>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <vector>

namespace msrp {

/// A message, or a piece of one, as a session hands it to the application.
///
/// The header fields are those of the chunk that carried the bytes. The
/// Byte-Range says which bytes `data` holds, and the continuation flag
/// whether more are to come:
/// - a message delivered whole: Byte-Range `1-N/N`, flag `$`;
/// - a large message, delivered as it arrives: pieces with their own
///   Byte-Range (in arrival order, which may not be byte order, and never
///   a byte twice), flag `+`; the piece that completes the message has `$`;
/// - a message that cannot complete: no data, flag `#`, and `failure`
///   says why (`errc::message_aborted`, `message_incomplete`, ...).
struct IncomingMessage : Chunk {
    std::error_code failure;

    bool complete() const noexcept { return contflag == contflag::complete && !failure; }
};

/// Bounds on what a receiver holds for messages in progress.
struct assembler_limits {
    /// Largest message accepted; a larger one is answered 413.
    std::uint64_t max_message_bytes = std::numeric_limits<std::uint64_t>::max();
    /// Messages whose size is known and at most this are delivered whole
    /// (held until complete); larger ones, and ones of unknown size, are
    /// delivered in pieces as they arrive, so they never sit in memory.
    std::uint64_t max_whole_message_bytes = 1u << 20;
    /// Messages in progress at once; the first chunk of another one is
    /// answered 413. With `max_whole_message_bytes` it bounds memory.
    std::size_t max_messages_in_progress = 32;
    /// Message-IDs of ended messages remembered so that a late duplicate
    /// chunk is dropped instead of starting the message again.
    std::size_t remembered_message_ids = 256;
    /// Leniency for a deployed miscount: a chunk that says it is a whole
    /// message (`Byte-Range: 1-N/N`, flag `$`, first of its Message-ID)
    /// whose body, as the end-line delimits it, is longer than N octets. AG
    /// Projects' msrplib counts a text body in characters, so every
    /// non-ASCII chat line from it arrives so (`héllo`: 6 octets, `1-5/5`).
    /// RFC 4975 §7.1 lets a receiver refuse it (400); when true the body
    /// and the `$` are trusted, as nothing else can be meant, and the
    /// message is delivered with `Byte-Range: 1-n/n` for its n octets.
    /// Only whole chunks: a segment or a message in several chunks is
    /// still held to its Byte-Range.
    bool accept_miscounted_whole_message = true;
};

/// Turns the SEND chunks of a session into messages.
///
/// Chunks of one Message-ID may arrive in any order, twice, or
/// overlapping; each byte is delivered once. Not thread-safe.
class message_assembler {
public:
    explicit message_assembler(assembler_limits limits = {});

    /// Takes one received SEND chunk (or a segment of one, with its
    /// Byte-Range narrowed to the bytes it holds) and appends what is ready
    /// for the application to `out`. Returns the outcome: empty to answer
    /// 200, else the error whose `status_code_for` is the answer
    /// (`message_too_large`, `too_many_messages`, `message_stopped`,
    /// `inconsistent_byte_range`, `bad_byte_range`, `bad_message_id` for a
    /// Message-ID longer than an ident's 32 octets). A chunk that adds nothing new (a
    /// duplicate) returns empty and adds nothing to `out`.
    std::error_code add(Chunk&& chunk, std::vector<IncomingMessage>& out);

    /// The application gives a message up (RFC 4975 §7.3.1: the receiver
    /// answers its later chunks 413). Returns false when no such message is
    /// in progress; else, when `first_chunk` is given, fills it with the
    /// header fields of the message's first chunk (for a failure REPORT).
    bool stop(std::string_view message_id, Chunk* first_chunk = nullptr);

    /// Ends every message in progress: each is appended to `out` with flag
    /// `#` and `errc::message_incomplete` (the session ended).
    void finish(std::vector<IncomingMessage>& out);

    std::size_t messages_in_progress() const noexcept { return messages_.size(); }
    /// How far the message `message_id` arrived in order: N when its bytes
    /// 1 to N all did (0 when byte 1 did not); nullopt when no such message
    /// is in progress (never begun, delivered whole, complete, failed or
    /// stopped). For progress reports (RFC 4975 §7.1.2).
    std::optional<std::uint64_t> in_order_bytes(const std::string& message_id) const;
    /// Bytes held for messages to be delivered whole.
    std::uint64_t buffered_bytes() const noexcept { return buffered_bytes_; }
    const assembler_limits& limits() const noexcept { return limits_; }

private:
    struct message {
        std::uint64_t total = 0;   ///< ByteRange::unknown until known
        std::uint64_t end = 0;     ///< ByteRange::unknown until the last byte's position is known
        std::uint64_t highest = 0; ///< position of the last byte received so far (0: none)
        bool whole = false;        ///< delivered whole (held in `body`)
        Chunk head;                ///< header fields of the first chunk received
        std::string body;          ///< whole messages only
        range_set received;
    };

    // The last few Message-IDs of some kind, oldest forgotten first. Flat
    // (a ring of ids and a set over it): every chunk is looked up here and
    // every whole message added, so neither may allocate.
    class recent_ids {
    public:
        void add(std::string_view id, std::size_t capacity);
        bool contains(std::string_view id) const noexcept { return set_.contains(id); }

    private:
        struct ident {
            std::uint8_t length = 0;
            char bytes[detail::ident_map<char>::max_key_bytes];
        };
        detail::ident_map<char> set_; // the values mean nothing
        std::vector<ident> ring_;
        std::size_t oldest_ = 0; ///< in `ring_`, once it is full
    };
    using message_map = std::unordered_map<std::string, message>;

    void end_message(message_map::iterator it);
    std::error_code fail_message(message_map::iterator it, Chunk& chunk, std::error_code why,
                                 std::vector<IncomingMessage>& out);

    assembler_limits limits_;
    message_map messages_;
    recent_ids ended_;
    recent_ids stopped_;
    std::uint64_t buffered_bytes_ = 0;
};

} // namespace msrp
