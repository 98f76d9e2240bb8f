#include "console.hpp"

#include <msrp/protocol/path.hpp>

#include <chrono>
#include <ctime>
#include <iostream>

namespace msrp::cli {

namespace {

using jobj = nlohmann::ordered_json;

std::string prefix(std::string_view who) {
    std::string p = "[" + clock_time() + "] ";
    if (!who.empty()) {
        p += who;
        p += ": ";
    }
    return p;
}

std::string sender_of(const ChatGotMessageData& m) {
    if (m.cpim_headers && m.cpim_headers->from) {
        const auto& f = *m.cpim_headers->from;
        return f.display_name.empty() ? "<" + f.uri + ">" : f.display_name + " <" + f.uri + ">";
    }
    return "the peer";
}

} // namespace

std::string clock_time() {
    const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm local{};
    localtime_r(&now, &local);
    char text[16];
    std::strftime(text, sizeof text, "%H:%M:%S", &local);
    return text;
}

void console::emit(const jobj& event, const std::string& text) {
    if (json_)
        out_ << event.dump(-1, ' ', false, jobj::error_handler_t::replace) << '\n';
    else
        out_ << text << '\n';
    out_.flush();
}

void console::listening(std::string_view who, const SDPMedia& media) {
    jobj e{{"event", "listening"}};
    if (!who.empty())
        e["chat"] = who;
    e["path"] = format_path(media.path);
    if (!media.fingerprint.empty())
        e["fingerprint"] = media.fingerprint;
    // The SDP attributes a peer needs, as they would be offered.
    std::string text = "a=path:" + format_path(media.path);
    if (!media.fingerprint.empty())
        text += "\na=fingerprint:" + media.fingerprint;
    if (!who.empty())
        text = std::string(who) + " offers " + text;
    emit(e, text);
}

void console::connected(std::string_view who, const std::string& remote_path) {
    jobj e{{"event", "connected"}};
    if (!who.empty())
        e["chat"] = who;
    e["remote_path"] = remote_path;
    emit(e, prefix(who) + "connected to " + remote_path);
}

void console::sent(std::string_view who, const std::string& message_id, const std::string& content,
                   const std::string& wire_type) {
    jobj e{{"event", "sent"}};
    if (!who.empty())
        e["chat"] = who;
    e["message_id"] = message_id;
    e["content"] = content;
    e["wire_content_type"] = wire_type;
    emit(e, prefix(who) + "-> " + content + "  (" + wire_type + ", " + message_id + ")");
}

void console::got_message(std::string_view who, const ChatGotMessageData& m) {
    jobj e{{"event", "message"}};
    if (!who.empty())
        e["chat"] = who;
    e["message_id"] = m.message.message_id().value_or("");
    e["content_type"] = m.content_type;
    e["content"] = m.content;
    e["cpim"] = m.cpim_headers.has_value();
    std::string when;
    if (m.cpim_headers) {
        if (m.cpim_headers->from) {
            e["from"] = m.cpim_headers->from->uri;
            e["display_name"] = m.cpim_headers->from->display_name;
        }
        if (m.cpim_headers->datetime) {
            e["datetime"] = m.cpim_headers->datetime->text;
            when = ", sent " + m.cpim_headers->datetime->text;
        }
    }
    emit(e, prefix(who) + "<- " + sender_of(m) + ": " + m.content + "  (" + m.content_type +
                (m.cpim_headers ? " in message/cpim" : "") + when + ")");
}

void console::delivery(std::string_view who, const ChatDeliveryData& d, bool delivered) {
    jobj e{{"event", delivered ? "delivered" : "not_delivered"}};
    if (!who.empty())
        e["chat"] = who;
    e["message_id"] = d.message_id;
    e["code"] = d.code;
    e["reason"] = d.reason;
    if (delivered)
        emit(e, prefix(who) + "delivered " + d.message_id + " (" + std::to_string(d.code) + " " + d.reason + ")");
    else
        emit(e, prefix(who) + "NOT delivered " + d.message_id + ": " +
                    (d.code ? std::to_string(d.code) + " " : std::string()) + d.reason);
}

void console::composing(std::string_view who, std::string_view peer, const ChatComposingData& c) {
    const bool active = c.state == composing_state::active;
    jobj e{{"event", "composing"}};
    if (!who.empty())
        e["chat"] = who;
    e["state"] = active ? "active" : "idle";
    if (c.refresh)
        e["refresh"] = *c.refresh;
    const std::string name = peer.empty() ? std::string("the peer") : std::string(peer);
    emit(e, prefix(who) + name + (active ? " is typing..." : " stopped typing"));
}

void console::failed(std::string_view who, const ChatDidFailData& f) {
    jobj e{{"event", "failed"}};
    if (!who.empty())
        e["chat"] = who;
    e["context"] = f.context;
    e["reason"] = f.reason;
    emit(e, prefix(who) + "chat failed (" + f.context + "): " + f.reason);
}

void console::invalid_message(std::string_view who, const ChatGotInvalidMessageData& m) {
    jobj e{{"event", "invalid_message"}};
    if (!who.empty())
        e["chat"] = who;
    e["message_id"] = m.message.message_id().value_or("");
    e["error"] = m.error.message();
    emit(e, prefix(who) + "unreadable message " + m.message.message_id().value_or("") + ": " + m.error.message());
}

void console::ended(std::string_view who) {
    jobj e{{"event", "ended"}};
    if (!who.empty())
        e["chat"] = who;
    emit(e, prefix(who) + "chat ended");
}

void console::info(const std::string& text) { emit(jobj{{"event", "info"}, {"text", text}}, text); }

std::shared_ptr<Logger> make_traffic_logger(const common_options& options, std::unique_ptr<std::ofstream>& file) {
    if (options.traffic_log.empty())
        return nullptr;
    std::ostream* out = &std::cerr;
    if (!options.traffic_log_file.empty()) {
        file = std::make_unique<std::ofstream>(options.traffic_log_file);
        if (!*file)
            throw usage_error{"cannot write the traffic log to " + options.traffic_log_file};
        out = file.get();
    }
    return options.traffic_log == "json" ? make_json_logger(*out) : make_text_logger(*out);
}

} // namespace msrp::cli
