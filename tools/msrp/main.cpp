// msrp: MSRP chat from the command line (`msrp chat`) and a demonstration
// of the library (`msrp demo`). See `msrp --help`.

#include "cli_options.hpp"
#include "commands.hpp"

#include <csignal>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

int main(int argc, char** argv) {
    using namespace msrp::cli;
    // A peer that vanishes must be an error code, not a signal.
    std::signal(SIGPIPE, SIG_IGN);
    const std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
        (args.empty() ? std::cerr : std::cout) << usage_text();
        return args.empty() ? exit_usage : exit_ok;
    }
    const std::vector<std::string> rest(args.begin() + 1, args.end());
    try {
        if (args[0] == "chat")
            return run_chat(parse_chat_options(rest));
        if (args[0] == "demo")
            return run_demo(parse_demo_options(rest));
        throw usage_error{"unknown command '" + args[0] + "' (chat or demo)"};
    } catch (const usage_error& e) {
        std::cerr << "msrp: " << e.message << "\n" << "run 'msrp --help' for usage\n";
        return exit_usage;
    } catch (const std::exception& e) {
        std::cerr << "msrp: " << e.what() << "\n";
        return exit_failure;
    }
}
