package io.tokenrouter.boot;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.RequestScoped;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.inject.Inject;
import java.lang.annotation.Annotation;
import org.jboss.weld.proxy.WeldClientProxy;
import org.junit.jupiter.api.Test;

/** Which injected references {@link DirectBeans} replaces by their instances, with Weld's proxy interface. */
class DirectBeansTest {

    static class Service {
        String name() {
            return "the instance";
        }
    }

    /** Stands for Weld's generated client proxy of a bean of {@code scope} whose instance is {@code instance}. */
    static class ProxyOfService extends Service implements WeldClientProxy {
        private final Class<? extends Annotation> scope;
        private final Service instance;

        ProxyOfService(Class<? extends Annotation> scope, Service instance) {
            this.scope = scope;
            this.instance = instance;
        }

        @Override
        String name() {
            return "the proxy";
        }

        @Override
        public Metadata getMetadata() {
            return new Metadata() {
                @Override
                public Bean<?> getBean() {
                    return (Bean<?>) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                            new Class<?>[] {Bean.class}, (proxy, method, args) -> method.getName().equals("getScope") ? scope : null);
                }

                @Override
                public Object getContextualInstance() {
                    return instance;
                }
            };
        }
    }

    static class Caller {
        @Inject
        Service applicationScoped = new ProxyOfService(ApplicationScoped.class, new Service());
        @Inject
        Service requestScoped = new ProxyOfService(RequestScoped.class, new Service());
        @Inject
        Service plain = new Service();
        @Inject
        Service absent;
        @Inject
        final Service constant = new ProxyOfService(ApplicationScoped.class, new Service());
        Service notInjected = new ProxyOfService(ApplicationScoped.class, new Service());
    }

    @Test
    void onlyInjectedProxiesOfApplicationScopedBeansBecomeTheirInstances() {
        Caller caller = new Caller();
        Service plain = caller.plain;

        assertThat(DirectBeans.wire(caller)).isEqualTo(1);

        assertThat(caller.applicationScoped.name()).isEqualTo("the instance");
        assertThat(caller.requestScoped.name()).as("a request-scoped bean keeps its proxy").isEqualTo("the proxy");
        assertThat(caller.plain).isSameAs(plain);
        assertThat(caller.absent).isNull();
        assertThat(caller.constant.name()).as("a final field is left alone").isEqualTo("the proxy");
        assertThat(caller.notInjected.name()).as("a field CDI did not inject is left alone").isEqualTo("the proxy");
    }

    @Test
    void anInstanceIsItselfAndAnythingElseStaysAsItIs() {
        Service instance = new Service();
        Service proxy = new ProxyOfService(ApplicationScoped.class, instance);
        assertThat(DirectBeans.instance(proxy)).isSameAs(instance);
        assertThat(DirectBeans.instance(instance)).isSameAs(instance);
        assertThat(DirectBeans.instance((Object) null)).isNull();
        ProxyOfService lost = new ProxyOfService(ApplicationScoped.class, null);
        assertThat(DirectBeans.instance(lost)).as("no instance to be had: the proxy").isSameAs(lost);
    }
}
