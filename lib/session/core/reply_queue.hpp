#pragma once
// Responses and REPORTs a session owes, serialized as they are made and
// written before anything else. Internal header of the session core (no Asio).

#include <msrp/protocol/byte_range.hpp>
#include <msrp/protocol/chunk.hpp>
#include <msrp/protocol/chunk_serializer.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace msrp::detail {

class write_batch;

class reply_queue {
public:
    /// Replies held back while the reader still has input: a stream of
    /// chunks is answered in a few writes rather than one per chunk, and a
    /// long stream flushes them every this many on the way.
    static constexpr std::size_t held_replies = 16;

    /// The paths every reply says it comes from.
    void set_local_path(std::string from_path_text) { from_path_text_ = std::move(from_path_text); }

    /// A transaction response (RFC 4975 §7.2) to the request `transaction_id`
    /// from the previous hop `reply_to`, as taken from a parsed chunk.
    void add_response(std::string_view transaction_id, int code, std::string_view reply_to);
    /// A success REPORT (RFC 4975 §7.1.2): to the SEND's From-Path as the
    /// peer wrote it, for the bytes `range` (1 to the total for a whole
    /// message, 1 to N for one in progress).
    void add_success_report(std::string_view transaction_id, std::string_view send_from_path,
                            std::string_view message_id, ByteRange range);
    /// Any other reply, serialized (a failure REPORT); due at once.
    void add(const Chunk& reply);

    std::size_t count() const noexcept { return ends_.size(); }
    bool empty() const noexcept { return ends_.empty(); }
    /// The reader ran out of input: what is held is due now.
    void flush() noexcept { flush_ = !ends_.empty(); }
    /// Whether the writer should take the replies now (enough held, or a flush asked for).
    bool due() const noexcept { return ends_.size() >= held_replies || (flush_ && !ends_.empty()); }

    /// Moves every reply into `batch`.
    void take_into(write_batch& batch);
    void clear() noexcept;
    /// Frees a buffer a burst grew beyond `keep_bytes`, once empty.
    void release_buffers(std::size_t keep_bytes);

private:
    void ended_one() { ends_.push_back(bytes_.size()); }

    std::string bytes_;
    std::vector<std::size_t> ends_; ///< end offset of every reply in `bytes_`
    std::string from_path_text_;
    std::string range_text_;  ///< reused for a Byte-Range value
    serialized_chunk wire_;   ///< reused to serialize `add`'s chunks
    bool flush_ = false;
};

} // namespace msrp::detail
