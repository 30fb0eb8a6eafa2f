package io.tokenrouter.testing;

import java.io.File;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Base of the integration tests: deploys the WAR the build produced, unchanged, into the managed Tomcat
 * and tests it from outside over HTTP, with the scripted upstream already listening.
 */
@ExtendWith({UpstreamExtension.class, ArquillianExtension.class})
public abstract class DeployedGateway {

    @Deployment(testable = false)
    public static WebArchive war() {
        return ShrinkWrap.createFromZipFile(WebArchive.class, new File(System.getProperty("it.war")));
    }

    protected static ScriptedUpstream upstream() {
        return UpstreamExtension.upstream();
    }
}
