#include "reply_queue.hpp"

#include "write_batch.hpp"

#include <msrp/protocol/error.hpp>

namespace msrp::detail {

void reply_queue::add_response(std::string_view transaction_id, int code, std::string_view reply_to) {
    // One per SEND: the busiest path of a receiver, so written straight into
    // the buffer with the serializer's own pieces. The transaction id and the
    // previous hop come from a parsed chunk and are valid as they are.
    wire::append_response_line(bytes_, transaction_id, code, status_comment(code));
    wire::append_header(bytes_, "To-Path", reply_to);
    wire::append_header(bytes_, "From-Path", from_path_text_);
    char tail[96];
    bytes_.append(tail, wire::write_end_line(tail, false, transaction_id, contflag::complete));
    ended_one();
}

void reply_queue::add_success_report(std::string_view transaction_id, std::string_view send_from_path,
                                     std::string_view message_id, ByteRange range) {
    // What make_report writes for a 200, without building the chunk first.
    wire::append_request_line(bytes_, transaction_id, "REPORT");
    wire::append_header(bytes_, "To-Path", send_from_path);
    wire::append_header(bytes_, "From-Path", from_path_text_);
    wire::append_header(bytes_, "Message-ID", message_id);
    range_text_.clear();
    range.append_to(range_text_);
    wire::append_header(bytes_, "Byte-Range", range_text_);
    wire::append_header(bytes_, "Status", "000 200 OK");
    char tail[96];
    bytes_.append(tail, wire::write_end_line(tail, false, transaction_id, contflag::complete));
    ended_one();
}

void reply_queue::add(const Chunk& reply) {
    if (serialize(reply, wire_))
        return; // cannot happen for the replies a session builds
    bytes_ += wire_.head;
    bytes_ += wire_.body;
    bytes_ += wire_.tail_view();
    ended_one();
    // Made by the application's call (stop_message), not while reading:
    // no read wait is coming to flush it.
    flush_ = true;
}

void reply_queue::take_into(write_batch& batch) {
    batch.take_replies(bytes_, ends_);
    bytes_.clear();
    ends_.clear();
    flush_ = false;
}

void reply_queue::clear() noexcept {
    bytes_.clear();
    ends_.clear();
    flush_ = false;
}

void reply_queue::release_buffers(std::size_t keep_bytes) {
    if (bytes_.empty() && bytes_.capacity() > keep_bytes)
        std::string().swap(bytes_);
}

} // namespace msrp::detail
