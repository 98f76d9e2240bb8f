// What the traffic loggers see of a session's batched writes: one block
// (one JSON line) per chunk, in wire order, however many chunks a write
// gathers (traffic_log.hpp: a call never spans two chunks).

#include "../support/session_helpers.hpp"
#include "../support/io_test.hpp"

#include <msrp/transport/traffic_log.hpp>

#include <nlohmann/json.hpp>

#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

using namespace std::chrono_literals;
using msrp::test::incoming_log;
using msrp::test::report_log;

namespace {

// Hands every call to both loggers.
class tee_logger final : public msrp::Logger {
public:
    tee_logger(std::shared_ptr<msrp::Logger> a, std::shared_ptr<msrp::Logger> b) : a_(std::move(a)), b_(std::move(b)) {}
    void on_state(const msrp::connection_event& e) override {
        a_->on_state(e);
        b_->on_state(e);
    }
    void on_data(msrp::traffic_direction d, const msrp::connection_info& c, std::string_view bytes,
                 bool starts_chunk) override {
        a_->on_data(d, c, bytes, starts_chunk);
        b_->on_data(d, c, bytes, starts_chunk);
    }

private:
    std::shared_ptr<msrp::Logger> a_, b_;
};

struct logged {
    std::ostringstream text, json;
    std::shared_ptr<msrp::Logger> text_logger = msrp::make_text_logger(text);
    std::shared_ptr<msrp::Logger> logger =
        std::make_shared<tee_logger>(text_logger, msrp::make_json_logger(json));
};

std::vector<nlohmann::json> json_lines(const std::string& log, const std::string& direction) {
    std::vector<nlohmann::json> out;
    std::istringstream in(log);
    for (std::string line; std::getline(in, line);) {
        auto j = nlohmann::json::parse(line);
        if (j.contains("direction") && j["direction"] == direction)
            out.push_back(std::move(j));
    }
    return out;
}

// The headers of the text log's blocks ("... >>> ..." or "... <<< ..."), in order.
std::vector<std::string> block_markers(const std::string& log) {
    std::vector<std::string> out;
    std::istringstream in(log);
    for (std::string line; std::getline(in, line);) {
        if (line.find(" >>> ") != std::string::npos)
            out.push_back(">>>");
        else if (line.find(" <<< ") != std::string::npos)
            out.push_back("<<<");
    }
    return out;
}

std::size_t count_of(const std::string& text, std::string_view what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size()))
        ++n;
    return n;
}

} // namespace

TEST_CASE("a burst of small SENDs and a batch of replies are logged one block, one JSON line, per chunk",
          "[session][traffic_log]") {
    constexpr int messages = 200;
    asio::io_context ctx{1};
    logged sender_log, receiver_log;
    msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
        auto pair = co_await msrp::test::make_transport_pair();
        pair.connected->set_logger(sender_log.logger);
        pair.accepted->set_logger(receiver_log.logger);
        incoming_log heard;
        report_log reports;
        msrp::MSRPSession receiver(std::move(pair.accepted), {}, heard.handler());
        msrp::MSRPSession sender(std::move(pair.connected));
        // Queued before the writer runs: they leave in one gathered write.
        for (int i = 0; i < messages; ++i) {
            msrp::OutgoingMessage m;
            m.data = "line " + std::to_string(i);
            sender.send_message(std::move(m), reports.handler());
        }
        REQUIRE_EVENTUALLY(reports.finals().size() == messages);
        REQUIRE(heard.messages.size() == messages);
        co_await sender.shutdown();
    });
    const std::string sender_text = sender_log.text.str();
    const std::string receiver_text = receiver_log.text.str();
    INFO(sender_text.substr(0, 4000));
    CHECK(count_of(sender_text, "[chunk incomplete") == 0);
    CHECK(count_of(receiver_text, "[chunk incomplete") == 0);
    CHECK(count_of(sender_text, "octets after the end-line") == 0);
    CHECK(count_of(receiver_text, "octets after the end-line") == 0);

    // Text: a block per SEND out and per 200 in; the first SEND went out
    // before any answer came back.
    const auto sender_blocks = block_markers(sender_text);
    CHECK(std::count(sender_blocks.begin(), sender_blocks.end(), ">>>") == messages);
    CHECK(std::count(sender_blocks.begin(), sender_blocks.end(), "<<<") == messages);
    REQUIRE_FALSE(sender_blocks.empty());
    CHECK(sender_blocks.front() == ">>>");
    CHECK(count_of(sender_text, " SEND") == messages);
    // The receiver's batched replies: a block each.
    const auto receiver_blocks = block_markers(receiver_text);
    CHECK(std::count(receiver_blocks.begin(), receiver_blocks.end(), ">>>") == messages);
    CHECK(count_of(receiver_text, " 200 OK") == messages);

    // JSON: one line per chunk out, each a whole chunk starting one.
    for (const auto* log : {&sender_log.json, &receiver_log.json}) {
        const auto out = json_lines(log->str(), "out");
        CHECK(out.size() == messages);
        for (const auto& line : out) {
            const std::string bytes = line["bytes"];
            CHECK(line["starts_chunk"] == true);
            CHECK(bytes.rfind("MSRP ", 0) == 0);
            CHECK(bytes.size() >= 3);
            CHECK(bytes.substr(bytes.size() - 3) == "$\r\n");
            CHECK(count_of(bytes, "MSRP ") == 1);
        }
    }
}
