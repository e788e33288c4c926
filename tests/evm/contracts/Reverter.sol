// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// boom() always reverts. tryCall() forwards its value to target.boom() and swallows the revert, so the
/// outer transaction succeeds, keeps the value, and its trace holds a failed sub-call with value.
contract Reverter {
    event Caught(address target, uint256 value);

    function boom() external payable {
        revert("Reverter: boom");
    }

    function tryCall(address target) external payable {
        try Reverter(target).boom{value: msg.value}() {
            revert("Reverter: boom did not revert");
        } catch {
            emit Caught(target, msg.value);
        }
    }
}
