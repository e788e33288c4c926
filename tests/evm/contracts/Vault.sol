// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// Holds ether until destroy() self-destructs it to the beneficiary. Since Cancun (EIP-6780) a contract
/// not created in the same transaction keeps its code and storage: SELFDESTRUCT only moves the balance.
contract Vault {
    address public immutable beneficiary;

    constructor(address beneficiary_) payable {
        beneficiary = beneficiary_;
    }

    receive() external payable {}

    function destroy() external {
        selfdestruct(payable(beneficiary));
    }
}
