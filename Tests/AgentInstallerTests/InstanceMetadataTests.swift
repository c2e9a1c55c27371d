import AgentInstaller
import AgentSupport
import Testing
import TestSupport

/// The IMDS answer → resource id and domain, and the failure path against a closed local port.
@Suite struct InstanceMetadataTests {
    @Test func virtualMachineAndScaleSet() {
        let vm = InstanceMetadata.parse(Array(#"""
            {"compute":{"subscriptionId":"sub-1","resourceGroupName":"rg1","name":"vm1","vmScaleSetName":"",
            "azEnvironment":"AzureUSGovernmentCloud"}}
            """#.utf8))
        #expect(vm.resourceID == "/subscriptions/sub-1/resourceGroups/rg1/providers/Microsoft.Compute/virtualMachines/vm1")
        #expect(vm.domain == "opinsights.azure.us")
        let ss = InstanceMetadata.parse(Array(#"""
            {"compute":{"subscriptionId":"s","resourceGroupName":"g","name":"ss_0","vmScaleSetName":"ss","azEnvironment":"azurechinacloud"}}
            """#.utf8))
        #expect(ss.resourceID == "/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/virtualMachineScaleSets/ss/virtualMachines/ss_0")
        #expect(ss.domain == "opinsights.azure.cn")
    }

    @Test func unknownCloudMissingPartsAndGarbage() {
        let partial = InstanceMetadata.parse(Array(#"{"compute":{"subscriptionId":"s","name":"vm","azEnvironment":"Mars"}}"#.utf8))
        #expect(partial == InstanceMetadata())
        #expect(InstanceMetadata.parse(Array("not json".utf8)) == InstanceMetadata())
    }

    @Test func unreachableIsNilWithinTheTimeout() async {
        let start = ContinuousClock.now
        let result = await InstanceMetadata.fetch(url: "http://127.0.0.1:9/metadata/instance", timeout: .seconds(2))
        #expect(result == nil)
        // A refused port answers at once; the bound only catches a hang (a loaded machine took 10 s once).
        #expect(ContinuousClock.now - start < .seconds(30))
    }
}
