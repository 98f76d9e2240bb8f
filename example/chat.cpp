// README "Chat", compiled (not run): one chat stream and its
// notifications. check_readme.py keeps the snippet the same as the
// README's.

#include <msrp/streams/chat.hpp>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>

#include <iostream>

asio::awaitable<void> chat_with_bob(asio::any_io_executor executor, msrp::chat_settings settings,
                                    msrp::SDPMedia remote_media) {
    // README: Chat
    msrp::NotificationCenter center(executor);
    msrp::MSRPChat chat(executor, center, {"sip:alice@example.com", "Alice"},
                        "sip:bob@example.com", /*outgoing=*/true, settings);
    auto watch = center.add_observer([](const msrp::Notification& n) {
        if (auto* got = n.data_as<msrp::ChatGotMessageData>())
            std::cout << got->content << "\n";       // unwrapped from message/cpim
    }, {}, &chat);
    co_await chat.initialize();          // MSRPChatDidInitialize{sdpmedia}: offer it in SDP
    co_await chat.start(remote_media);   // the peer's SDPMedia; MSRPChatDidStart
    chat.send_message("Hello");          // MSRPChatDidDeliverMessage when the REPORT comes
    chat.typing();                       // is-composing (RFC 3994)
    co_await chat.end();                 // MSRPChatWillEnd, MSRPChatDidEnd
    // README end
}

int main() {
    // Compiled so that the README's code cannot rot; running it needs a
    // peer's SDP (see test/streams/chat_test.cpp for two chats in one
    // process).
    return 0;
}
