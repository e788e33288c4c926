// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// A contract created by Factory with CREATE2, funded with the value of the deploying call.
contract Child {
    address public immutable factory;

    constructor() payable {
        factory = msg.sender;
    }
}

/// Creates Child contracts with CREATE2: the child's address depends on the salt only, its balance is msg.value.
contract Factory {
    event Deployed(address child, bytes32 salt, uint256 value);

    function deploy(bytes32 salt) external payable returns (address child) {
        child = address(new Child{salt: salt, value: msg.value}());
        emit Deployed(child, salt, msg.value);
    }

    /// The address deploy(salt) creates.
    function childAddress(bytes32 salt) external view returns (address) {
        bytes32 digest = keccak256(
            abi.encodePacked(bytes1(0xff), address(this), salt, keccak256(type(Child).creationCode))
        );
        return address(uint160(uint256(digest)));
    }
}
