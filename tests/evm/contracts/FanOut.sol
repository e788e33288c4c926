// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// Splits the ether sent with fan() equally between the recipients, one internal call each.
/// The remainder of the division stays in this contract.
contract FanOut {
    function fan(address[] calldata to) external payable {
        require(to.length > 0, "FanOut: no recipients");
        uint256 share = msg.value / to.length;
        for (uint256 i = 0; i < to.length; i++) {
            (bool ok,) = payable(to[i]).call{value: share}("");
            require(ok, "FanOut: send failed");
        }
    }
}
