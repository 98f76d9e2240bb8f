// The session core's output: what goes into a write, in which order, and
// how a message is cut into chunks (RFC 4975 §7.1). Part of session_core.

#include "session_core.hpp"

#include <msrp/protocol/chunk_serializer.hpp>
#include <msrp/protocol/error.hpp>
#include <msrp/protocol/random_ident.hpp>
#include <msrp/protocol/report_rules.hpp>

#include <algorithm>

namespace msrp::detail {

session_core::fill_result session_core::fill(time_point now) {
    // Replies first, all of them: they are small and the peer waits for them.
    if (!replies_.empty())
        replies_.take_into(batch_);
    // Then the chunk queue and the messages take turns, a chunk each.
    // A message's chunk goes only while the send window has room; queued
    // chunks and replies do not wait for it.
    while (batch_.bytes() < options_.max_write_batch_bytes && !ended_ && queue_.has_next(window_open())) {
        if (queue_.chunks_go_next(window_open())) {
            add_queued_chunk(queue_.take_chunk(), now);
            continue;
        }
        auto m = queue_.take_message();
        if (m->from_source && !m->final_sent && !m->abort_requested) {
            // The driver reads the next piece; on_source_read goes on.
            reading_ = std::move(m);
            batch_.bodies.emplace_back(reading_->chunk_bytes, '\0');
            std::string& buffer = batch_.bodies.back();
            return fill_result{reading_.get(), std::span<char>(buffer.data(), buffer.size())};
        }
        if (add_message_chunk(m, now))
            requeue_or_wait(std::move(m), now);
    }
    writing_ = !batch_.empty();
    return {};
}

void session_core::add_queued_chunk(queued_chunk q, time_point now) {
    batch_.chunks.push_back(std::move(q.chunk));
    const Chunk& c = batch_.chunks.back();
    serialize(c, batch_.scratch); // checked when queued
    batch_.add_scratch();
    if (c.is_request() && c.method != "REPORT") {
        pending_transaction t;
        t.on_response = std::move(q.on_response);
        t.internal = q.internal;
        t.keepalive = q.keepalive;
        t.failure_mode = failure_report_of(c);
        t.timeout_code = local_timeout_code(c);
        t.body_bytes = c.data.size();
        track(c.transaction_id, std::move(t), now);
    } else if (q.on_response) {
        // RFC 4975 §7.1.2: nobody answers a REPORT (nor a response).
        batch_.after_write.emplace_back(c.transaction_id, std::move(q.on_response));
    }
}

void session_core::on_source_read(std::size_t n, std::error_code read_ec, time_point now) {
    const auto m = std::move(reading_);
    reading_.reset();
    if (!m)
        return;
    if (ended_ || m->final_sent) {
        // Failed or ended meanwhile: nothing more of it goes out.
        if (!batch_.bodies.empty())
            batch_.bodies.pop_back();
        return;
    }
    std::string& buffer = batch_.bodies.back();
    const std::uint64_t start = m->next;
    const bool too_long = m->total != ByteRange::unknown && start - 1 + n > m->total;
    const bool too_short = n == 0 && m->total != ByteRange::unknown && start - 1 != m->total;
    bool more = false;
    if (read_ec || n > buffer.size() || too_long || too_short) {
        const auto failure = read_ec ? read_ec : make_error_code(errc::invalid_argument);
        std::string why = read_ec ? "the message's source failed: " + read_ec.message()
                                  : "the message's source did not give the size announced";
        batch_.bodies.pop_back();
        more = add_message_piece(m, {}, contflag::aborted, ByteRange{start, start - 1, m->total}, failure,
                                 std::move(why), now);
    } else {
        buffer.resize(n);
        const bool last = n == 0 || (m->total != ByteRange::unknown && start - 1 + n == m->total);
        if (last)
            m->total = start - 1 + n;
        more = add_message_piece(m, buffer, last ? contflag::complete : contflag::more,
                                 ByteRange{start, start - 1 + n, m->total}, {}, {}, now);
    }
    if (more)
        requeue_or_wait(m, now);
}

void session_core::requeue_or_wait(std::shared_ptr<outgoing_message> m, time_point now) {
    // An abort goes at once: its '#' carries no bytes to report.
    if (report_window_.applies_to(*m) && !m->abort_requested && !report_window_.has_room(*m))
        report_window_.park(std::move(m), now + options_.response_timeout);
    else
        queue_.requeue(std::move(m));
}

bool session_core::add_message_chunk(const std::shared_ptr<outgoing_message>& m, time_point now) {
    if (m->final_sent)
        return false; // failed meanwhile: nothing more of it goes out
    const std::uint64_t start = m->next;
    if (m->abort_requested)
        return add_message_piece(m, {}, contflag::aborted, ByteRange{start, start - 1, m->total}, m->abort_error,
                                 m->abort_comment, now);
    const auto offset = static_cast<std::size_t>(start - 1);
    const std::size_t n = std::min(m->chunk_bytes, m->body.size() - offset);
    const std::string_view body = m->body.substr(offset, n);
    const char flag = offset + n == m->body.size() ? contflag::complete : contflag::more;
    batch_.messages.push_back(m); // the body is viewed, not copied
    return add_message_piece(m, body, flag, ByteRange{start, start - 1 + n, m->total}, {}, {}, now);
}

bool session_core::add_message_piece(const std::shared_ptr<outgoing_message>& mp, std::string_view body, char flag,
                                     ByteRange range, std::error_code failure, std::string why, time_point now) {
    outgoing_message& m = *mp;
    if (flag == contflag::aborted && m.next == 1) {
        // Nothing of it went out: the peer need not hear of it.
        finish_message(m, m.abort_code, why.empty() ? std::string("aborted") : std::move(why),
                       failure ? failure : make_error_code(errc::message_aborted));
        return false;
    }
    std::string tid = random_ident();
    if (end_line_collides(body, tid))
        tid = choose_transaction_id(body);
    // The head is written with the serializer's pieces, in the order
    // `serialize` writes a SEND; the fields were checked when queued.
    std::string& head = batch_.scratch.head;
    head.clear();
    wire::append_request_line(head, tid, "SEND");
    wire::append_header(head, "To-Path", to_path_text_);
    wire::append_header(head, "From-Path", from_path_text_);
    wire::append_header(head, "Message-ID", m.id);
    if (m.failure_report_field)
        wire::append_header(head, "Failure-Report", *m.failure_report_field);
    if (m.success_report_field)
        wire::append_header(head, "Success-Report", *m.success_report_field);
    range_text_.clear();
    range.append_to(range_text_);
    wire::append_header(head, "Byte-Range", range_text_);
    for (const auto& h : m.headers)
        wire::append_header(head, h.name, h.value);
    wire::append_header(head, "Content-Type", m.content_type);
    wire::append_body_separator(head);
    batch_.scratch.body = body;
    batch_.scratch.tail_len = wire::write_end_line(batch_.scratch.tail.data(), true, tid, flag);
    batch_.add_scratch();

    m.next = range.start + body.size();
    // A body in memory is charged until it is written; a source's chunk was
    // charged once for the whole message.
    if (flag == contflag::more && !m.from_source)
        queue_.refund(m.queued_bytes, body.size());
    if (flag != contflag::more)
        m.all_sent = true;
    if (m.failure_mode != failure_report::no) {
        ++m.in_flight;
        pending_transaction t;
        t.message = mp;
        t.failure_mode = m.failure_mode;
        t.timeout_code = local_timeout_code(m.failure_mode);
        t.body_bytes = body.size();
        track(tid, std::move(t), now);
    }
    if (flag == contflag::aborted) {
        finish_message(m, m.abort_code, why.empty() ? std::string("aborted") : std::move(why),
                       failure ? failure : make_error_code(errc::message_aborted));
        return false;
    }
    if (m.all_sent) {
        queue_.refund_all(m.queued_bytes);
        queue_.release_turn(m);
        check_settled(m, now);
    }
    return !m.all_sent;
}

void session_core::track(std::string_view transaction_id, pending_transaction t, time_point now) {
    auto replaced = transactions_.track(transaction_id, now + options_.response_timeout, std::move(t));
    if (replaced) {
        // Two requests went out under one transaction id (queued together,
        // see queue_chunk): the answer will be taken for the later one.
        const auto response = local_response(transaction_id, replaced->timeout_code,
                                             "another request was sent with the same transaction id");
        complete_transaction(*replaced, response, true, now);
    }
}

void session_core::on_written(std::error_code ec, time_point now) {
    writing_ = false;
    last_traffic_ = now;
    if (!ec)
        for (const auto& m : batch_.messages)
            if (m->all_sent)
                release_body(*m);
    auto written = std::move(batch_.after_write);
    batch_.after_write.clear();
    batch_.clear();
    if (ec)
        end(ec);
    // Their verdict: sent, or not (nothing else answers them).
    for (auto& [id, handler] : written)
        if (!detached_)
            handler(ec ? local_response(id, 408, "the session ended before the chunk was sent")
                       : local_response(id, 200, {}));
}

void session_core::on_writer_idle() {
    // A burst grows the write buffers to a batch's size; kept, every session
    // that ever had one would hold its peak for good. Freed when the writer
    // runs out of work, the memory goes back to the allocator for whichever
    // session bursts next. Buffers of everyday size stay.
    batch_.release_buffers(idle_buffer_bytes);
    replies_.release_buffers(idle_buffer_bytes);
}

} // namespace msrp::detail
