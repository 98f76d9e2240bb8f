#include <msrp/protocol/error.hpp>
#include <msrp/protocol/setup_role.hpp>

namespace msrp {

std::error_code negotiate_setup(bool we_are_offerer, std::string_view offer_setup, std::string_view answer_setup,
                                setup_role& role) noexcept {
    const auto bad = make_error_code(errc::invalid_argument);
    // RFC 6135 §4.2: holdconn is ignored, as if no a=setup were present.
    if (offer_setup == "holdconn")
        offer_setup = {};
    if (answer_setup == "holdconn")
        answer_setup = {};
    auto known = [](std::string_view v) { return v.empty() || v == "active" || v == "passive" || v == "actpass"; };
    if (!known(offer_setup) || !known(answer_setup))
        return bad;
    // RFC 6135 §4.2: an offer MUST NOT say passive; an answer picks a side.
    if (offer_setup == "passive" || answer_setup == "actpass")
        return bad;
    // An offer without a=setup is the RFC 4975 offerer: it connects.
    if (offer_setup.empty())
        offer_setup = "active";

    bool offerer_active;
    if (answer_setup.empty()) {
        // RFC 4975 §5.4: the offerer connects. An offer of "active" agrees.
        offerer_active = true;
    } else if (answer_setup == "active") {
        if (offer_setup == "active")
            return bad;
        offerer_active = false;
    } else { // answer passive
        offerer_active = true;
    }
    role = (offerer_active == we_are_offerer) ? setup_role::active : setup_role::passive;
    return {};
}

} // namespace msrp
