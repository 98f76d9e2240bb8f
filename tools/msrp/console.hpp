#pragma once
// What the `msrp` tool prints: each chat event as a line for people, or as
// one JSON object per line for scripts (--json).

#include "cli_options.hpp"

#include <msrp/streams/chat_notifications.hpp>
#include <msrp/transport/traffic_log.hpp>

#include <nlohmann/json.hpp>

#include <fstream>
#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>

namespace msrp::cli {

class console {
public:
    console(std::ostream& out, bool json) : out_(out), json_(json) {}

    bool json() const noexcept { return json_; }

    /// `who` names the chat in the demo ("Alice"); empty in `msrp chat`.
    void listening(std::string_view who, const SDPMedia& media);
    void connected(std::string_view who, const std::string& remote_path);
    void sent(std::string_view who, const std::string& message_id, const std::string& content,
              const std::string& wire_type);
    void got_message(std::string_view who, const ChatGotMessageData& m);
    void delivery(std::string_view who, const ChatDeliveryData& d, bool delivered);
    /// `peer` names the one typing (empty: "the peer").
    void composing(std::string_view who, std::string_view peer, const ChatComposingData& c);
    void failed(std::string_view who, const ChatDidFailData& f);
    void invalid_message(std::string_view who, const ChatGotInvalidMessageData& m);
    void ended(std::string_view who);
    /// A line for people (text mode) or {"event": "info", "text": ...}.
    void info(const std::string& text);
    void emit(const nlohmann::ordered_json& event, const std::string& text);

private:
    std::ostream& out_;
    bool json_;
};

/// The traffic logger the options ask for (null: none); a log file is
/// opened into `file`, which must outlive the logger. Throws
/// `usage_error` when the file cannot be opened.
std::shared_ptr<Logger> make_traffic_logger(const common_options& options, std::unique_ptr<std::ofstream>& file);

/// Wall-clock time of day, `13:45:01`, for the text lines.
std::string clock_time();

} // namespace msrp::cli
