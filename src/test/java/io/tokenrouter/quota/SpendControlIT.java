package io.tokenrouter.quota;

import io.tokenrouter.testing.DeployedGateway;
import io.tokenrouter.testing.GatewayClient;
import java.net.URI;
import java.net.URL;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link SpendControlChecks} against the deployed gateway on its embedded H2 database. */
@ExtendWith({io.tokenrouter.testing.UpstreamExtension.class, ArquillianExtension.class})
class SpendControlIT extends SpendControlChecks {

    @ArquillianResource
    URL deployment;

    @Deployment(testable = false)
    public static WebArchive war() {
        return DeployedGateway.war();
    }

    @Override
    URI gateway() {
        return URI.create(deployment.toString().endsWith("/") ? deployment.toString() : deployment + "/");
    }

    @Override
    String adminKey() {
        return GatewayClient.ADMIN_KEY;
    }
}
