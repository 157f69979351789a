"""Python against a real connect-gateway on its embedded simulator: the
rich details of ConcurrentModification, DuplicateField and ResourceNotFound,
the catalogue's (spec) option, and WatchDeployment read to its end.

Run by `make test-python`: CONNECT_GATEWAY_BIN is the gateway binary and
CONNECT_DESCRIPTOR_SET the FileDescriptorSet of the protos.
"""

import json
import os
import re
import subprocess
import threading
import unittest
import urllib.request
import uuid

import grpc

from connect_gateway import Protos

V1 = "commercetools.connect.v1"
ERRORS = "commercetools.connect.errors.v1"
STAGED = f"{V1}.ConnectorStagedService"
DEPLOYMENTS = f"{V1}.DeploymentService"
DOMAIN = "connect.commercetools.com"
TOUR = re.compile(r"embedded Connect API simulator \((http://[^,]+),")


class Gateway:
    """connect-gateway on its embedded simulator, on free loopback ports."""

    def __init__(self):
        self.proc = subprocess.Popen(
            [os.environ["CONNECT_GATEWAY_BIN"], "--upstream", "sim", "--grpc-addr", "127.0.0.1:0",
             "--http-addr", "127.0.0.1:0", "--log-format", "json"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.grpc_addr = self.sim_url = None
        lines = []
        for line in self.proc.stderr:
            lines.append(line)
            if m := TOUR.search(line):
                self.sim_url = m.group(1)
            try:
                rec = json.loads(line)
            except ValueError:
                continue
            if rec.get("msg") == "connect-gateway serving":
                self.grpc_addr = rec["grpc"]
                break
        if not self.grpc_addr or not self.sim_url:
            self.proc.kill()
            raise RuntimeError("gateway did not start:\n" + "".join(lines))
        # Keep draining its log so that it never blocks on a full pipe.
        threading.Thread(target=lambda: [None for _ in self.proc.stderr], daemon=True).start()

    def advance(self, duration):
        """Moves the simulator's clock: its lifecycle transitions follow."""
        req = urllib.request.Request(f"{self.sim_url}/_sim/clock/advance", method="POST",
                                     data=json.dumps({"duration": duration}).encode(),
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as resp:
            resp.read()

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=30)


class GatewayTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.protos = Protos(os.environ["CONNECT_DESCRIPTOR_SET"])
        cls.gateway = Gateway()
        cls.channel = grpc.insecure_channel(cls.gateway.grpc_addr)

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()
        cls.gateway.stop()

    def unary(self, service, method):
        return self.protos.unary(self.channel, service, method)

    def create_staged(self, key):
        create, Req = self.unary(STAGED, "CreateConnectorStaged")
        req = Req(draft={"key": key, "name": f"Python {key}", "integration_types": ["psp"],
                         "creator": {"email": "dev@example.com"},
                         "repository": {"url": "https://github.com/connect-sim/payment-connector.git", "tag": "v1.0.0"}})
        return create(req, timeout=10).connector_staged

    def failure(self, call, req):
        with self.assertRaises(grpc.RpcError) as ctx:
            call(req, timeout=10)
        return ctx.exception

    def assert_rich(self, err, code, reason, typed):
        """Checks code, ErrorInfo and the typed detail; returns (info, detail)."""
        self.assertEqual(err.code(), code)
        st = self.protos.status_of(err)
        self.assertIsNotNone(st, "no grpc-status-details-bin trailer")
        self.assertEqual(st.code, code.value[0])
        info = self.protos.detail(st, "google.rpc.ErrorInfo")
        self.assertEqual(info.reason, reason)
        self.assertEqual(info.domain, DOMAIN)
        detail = self.protos.detail(st, f"{ERRORS}.{typed}")
        self.assertIsNotNone(detail, f"no {typed} detail")
        self.assertEqual(detail.message, st.message)
        return info, detail

    def test_concurrent_modification(self):
        cs = self.create_staged(f"py-cm-{uuid.uuid4().hex[:8]}")
        update, Req = self.unary(STAGED, "UpdateConnectorStaged")
        action = {"set_name": {"name": "renamed"}}
        current = update(Req(id=cs.id, version=cs.version, actions=[action]), timeout=10).connector_staged.version
        err = self.failure(update, Req(id=cs.id, version=cs.version, actions=[action]))
        info, detail = self.assert_rich(err, grpc.StatusCode.ABORTED, "CONCURRENT_MODIFICATION", "ConcurrentModification")
        self.assertEqual(info.metadata["code"], "ConcurrentModification")
        self.assertEqual(detail.expected_version, cs.version)
        self.assertEqual(detail.current_version, current)

    def test_duplicate_field(self):
        key = f"py-dup-{uuid.uuid4().hex[:8]}"
        self.create_staged(key)
        create, Req = self.unary(STAGED, "CreateConnectorStaged")
        err = self.failure(create, Req(draft={"key": key, "name": "again", "creator": {"email": "dev@example.com"},
                                              "repository": {"url": "https://github.com/connect-sim/payment-connector.git", "tag": "v1.0.0"}}))
        info, detail = self.assert_rich(err, grpc.StatusCode.ALREADY_EXISTS, "DUPLICATE_FIELD", "DuplicateField")
        self.assertEqual(info.metadata["field"], "key")
        self.assertEqual(detail.field, "key")
        self.assertEqual(detail.duplicate_value.string_value, key)

    def test_resource_not_found(self):
        get, Req = self.unary(STAGED, "GetConnectorStaged")
        missing = f"py-missing-{uuid.uuid4().hex[:8]}"
        err = self.failure(get, Req(id=missing))
        self.assert_rich(err, grpc.StatusCode.NOT_FOUND, "RESOURCE_NOT_FOUND", "ResourceNotFound")
        resource = self.protos.detail(self.protos.status_of(err), "google.rpc.ResourceInfo")
        self.assertEqual((resource.resource_type, resource.resource_name), ("ConnectorStaged", missing))

    def test_catalogue_spec_option(self):
        spec = self.protos.enum_value_option(f"{ERRORS}.ErrorCode", "ERROR_CODE_CONCURRENT_MODIFICATION", f"{ERRORS}.spec")
        self.assertEqual(spec.code, "ConcurrentModification")
        self.assertEqual(spec.http_status, 409)
        self.assertEqual(spec.DESCRIPTOR.fields_by_name["grpc_code"].enum_type.values_by_number[spec.grpc_code].name, "ABORTED")
        self.assertTrue(spec.caller_action)

    def test_watch_deployment_to_the_end(self):
        key = f"py-watch-{uuid.uuid4().hex[:8]}"
        create, Req = self.unary(DEPLOYMENTS, "CreateDeployment")
        create(Req(project_key="demo", draft={
            "key": key, "type": "sandbox", "connector": {"key": "demo-payment-connector"}, "region": "europe-west1.gcp",
            "configurations": [{"application_name": "processor",
                                "standard_configuration": [{"key": "CTP_PROJECT_KEY", "value": "demo"}],
                                "secured_configuration": [{"key": "CTP_CLIENT_SECRET", "value": "py-secret"}]},
                               {"application_name": "enabler"}]}), timeout=10)
        watch, WatchReq = self.protos.server_stream(self.channel, DEPLOYMENTS, "WatchDeployment")
        statuses = []
        for msg in watch(WatchReq(project_key="demo", key=key), timeout=60):
            statuses.append(msg.deployment.status)
            if len(statuses) == 1:
                self.gateway.advance("1h")  # Queued, then Deploying and Deployed on the next poll
        self.assertEqual(statuses[0], "Queued")
        self.assertEqual(statuses[-1], "Deployed")  # the stream ended OK after the terminal state

    def test_watch_error_is_rich(self):
        watch, Req = self.protos.server_stream(self.channel, DEPLOYMENTS, "WatchDeployment")
        with self.assertRaises(grpc.RpcError) as ctx:
            for _ in watch(Req(project_key="demo", key="py-no-such-deployment"), timeout=30):
                pass
        self.assert_rich(ctx.exception, grpc.StatusCode.NOT_FOUND, "RESOURCE_NOT_FOUND", "ResourceNotFound")


if __name__ == "__main__":
    unittest.main()
