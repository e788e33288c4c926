// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// An ERC-20 for the EVM integration tests: the deployer gets the initial supply; anyone may mint or burn their own.
contract TestToken is ERC20 {
    constructor(uint256 initialSupply) ERC20("Test Token", "TST") {
        _mint(msg.sender, initialSupply);
    }

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// Burns from the caller: a Transfer to the zero address.
    function burn(uint256 amount) external {
        _burn(msg.sender, amount);
    }
}
