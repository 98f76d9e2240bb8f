#pragma once
// The bytes of one gather write, chunk by chunk, and what they point into.
// Internal header of the session core (no Asio).
//
// Heads, end-lines and small bodies are copied into one flat buffer, so that
// many small chunks leave in a few large system calls; large bodies are
// written from where they are, without a copy. Every chunk keeps its own
// pieces: a piece never spans two chunks, so the transport can hand each
// chunk to the traffic logger apart (its contract: a call never spans two
// chunks) and could frame one chunk per message; it gathers pieces that lie
// next to each other in memory back into one for the socket.

#include <msrp/protocol/chunk.hpp>
#include <msrp/protocol/chunk_serializer.hpp>
#include <msrp/session/message_report.hpp>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace msrp::detail {

struct outgoing_message;

class write_batch {
public:
    /// Bodies up to this size are copied rather than viewed.
    static constexpr std::size_t copied_body_bytes = 4096;

    /// Takes the replies made since the last write (each one a chunk in
    /// `bytes`, ending at the offsets in `ends`), first on the wire. The
    /// buffers trade places: no allocation once warm.
    void take_replies(std::string& bytes, std::vector<std::size_t>& ends) {
        bytes_ += bytes.size();
        if (replies_.empty()) {
            replies_.swap(bytes);
            reply_ends_.swap(ends);
            return;
        }
        // More replies came while the batch was being filled (a source read).
        const std::size_t offset = replies_.size();
        replies_ += bytes;
        for (const auto end : ends)
            reply_ends_.push_back(offset + end);
    }

    /// Adds one chunk: `head` and `tail` copied, `body` copied when small,
    /// else viewed (it must outlive the write).
    void add_chunk(std::string_view head, std::string_view body, std::string_view tail) {
        add_flat(head);
        if (body.size() <= copied_body_bytes)
            add_flat(body);
        else
            pieces_.push_back(piece{true, 0, body.size(), body});
        add_flat(tail);
        chunk_ends_.push_back(pieces_.size());
        bytes_ += head.size() + body.size() + tail.size();
    }
    /// Adds the chunk serialized in `scratch`.
    void add_scratch() { add_chunk(scratch.head, scratch.body, scratch.tail_view()); }

    /// Computes the views; valid until the next change.
    void make_views() {
        views_.clear();
        view_ends_.clear();
        std::size_t begin = 0;
        for (const auto end : reply_ends_) {
            views_.push_back(std::string_view(replies_).substr(begin, end - begin));
            view_ends_.push_back(views_.size());
            begin = end;
        }
        std::size_t next = 0;
        for (const auto end : chunk_ends_) {
            for (; next < end; ++next) {
                const auto& p = pieces_[next];
                views_.push_back(p.external ? p.view : std::string_view(flat_).substr(p.offset, p.size));
            }
            view_ends_.push_back(views_.size());
        }
    }
    /// The pieces in wire order (after `make_views`).
    std::span<const std::string_view> pieces() const noexcept { return views_; }
    /// For every chunk, one past the index of its last piece in `pieces()`.
    std::span<const std::size_t> chunk_ends() const noexcept { return view_ends_; }

    std::size_t bytes() const noexcept { return bytes_; }
    bool empty() const noexcept { return chunk_ends_.empty() && reply_ends_.empty(); }

    void clear() {
        replies_.clear();
        reply_ends_.clear();
        flat_.clear();
        pieces_.clear();
        chunk_ends_.clear();
        views_.clear();
        view_ends_.clear();
        chunks.clear();
        bodies.clear();
        messages.clear();
        after_write.clear();
        bytes_ = 0;
    }

    /// Frees buffers a burst grew beyond `keep_bytes` (an idle batch only).
    void release_buffers(std::size_t keep_bytes) {
        auto release = [keep_bytes](std::string& b) {
            if (b.empty() && b.capacity() > keep_bytes)
                std::string().swap(b);
        };
        release(flat_);
        release(replies_);
    }

    /// Reused to serialize one chunk.
    serialized_chunk scratch;
    /// Chunks from the chunk queue whose bodies are viewed.
    std::deque<Chunk> chunks;
    /// Bodies read from sources.
    std::deque<std::string> bodies;
    /// Messages whose bodies are viewed: kept alive until written.
    std::vector<std::shared_ptr<outgoing_message>> messages;
    /// Handlers of chunks that get no response (REPORTs, responses): called
    /// once the chunk is written.
    std::vector<std::pair<std::string, response_handler>> after_write;

private:
    struct piece {
        bool external;
        std::size_t offset, size; ///< in `flat_`, when not external
        std::string_view view;    ///< when external
    };
    void add_flat(std::string_view b) {
        if (b.empty())
            return;
        const std::size_t chunk_begin = chunk_ends_.empty() ? 0 : chunk_ends_.back();
        // Merged with the piece before only within one chunk.
        if (pieces_.size() > chunk_begin && !pieces_.back().external)
            pieces_.back().size += b.size();
        else
            pieces_.push_back(piece{false, flat_.size(), b.size(), {}});
        flat_.append(b);
    }

    std::string replies_;
    std::vector<std::size_t> reply_ends_;
    std::string flat_;
    std::vector<piece> pieces_;
    std::vector<std::size_t> chunk_ends_; ///< into pieces_
    std::vector<std::string_view> views_;
    std::vector<std::size_t> view_ends_;  ///< into views_
    std::size_t bytes_ = 0;
};

} // namespace msrp::detail
