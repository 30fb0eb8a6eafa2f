package io.tokenrouter.boot;

import io.tokenrouter.access.AuditForwarder;
import io.tokenrouter.access.SetupService;
import io.tokenrouter.runtime.ClientAddresses;
import io.tokenrouter.access.KeyCleanup;
import io.tokenrouter.provider.ProviderSeeder;
import io.tokenrouter.provider.ProviderProbeService;
import io.tokenrouter.routing.Routes;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * Brings the gateway up when the application starts, in order: every application-scoped bean (the database
 * migrated as it opens), configuration seeded into it and admin access (bootstrap key, setup token,
 * password) under the cluster's startup lock, route table, background model discovery and key clean-up. A
 * failure here fails the deployment, so a misconfiguration is seen at once.
 */
@ApplicationScoped
public class GatewayStartup {

    private static final Logger LOG = Logger.getLogger(GatewayStartup.class.getName());

    /** Injected (and so built) at start: a bad trusted_proxies entry stops the deployment, naming the entry. */
    @Inject
    ClientAddresses addresses;
    @Inject
    ProviderSeeder seeder;
    @Inject
    SetupService adminAccess;
    @Inject
    KeyCleanup keyCleanup;
    @Inject
    io.tokenrouter.runtime.RuntimeSettings runtimeSettings;
    @Inject
    Routes routes;
    @Inject
    ProviderProbeService providers;
    @Inject
    io.tokenrouter.observe.ProviderQuotas providerQuotas;
    @Inject
    io.tokenrouter.observe.Retention retention;
    @Inject
    AuditForwarder auditForwarder;
    @Inject
    io.tokenrouter.observe.BudgetAlerts budgetAlerts;
    @Inject
    io.tokenrouter.usage.UsageRecorder usageRecorder;
    @Inject
    io.tokenrouter.provider.AutoProviders autoProviders;
    @Inject
    io.tokenrouter.quota.HoldReclaimer holdReclaimer;
    @Inject
    io.tokenrouter.store.JobLocks jobLocks;
    @Inject
    io.tokenrouter.store.PriceRepository priceRepository;
    @Inject
    jakarta.enterprise.inject.spi.BeanManager beanManager;

    /**
     * Creates every application-scoped bean of the gateway now, on the deploying thread, rather than on first
     * use: first use is often on one of the gateway's own threads (a client write, a scheduled job), where a
     * full server may not inject a bean it creates (Payara skips injection outside an EE component's context),
     * and a bean that cannot start should stop the deployment, not the first request that needs it. Then each
     * calls the others without their client proxies ({@link DirectBeans}).
     */
    private void createApplicationBeans() {
        List<Object> created = new ArrayList<>();
        for (var bean : beanManager.getBeans(Object.class, jakarta.enterprise.inject.Any.Literal.INSTANCE)) {
            if (bean.getScope() == ApplicationScoped.class && bean.getBeanClass().getName().startsWith("io.tokenrouter.")
                    && bean.getTypes().contains(bean.getBeanClass()) && !isJaxRsComponent(bean.getBeanClass())) {
                Object reference = beanManager.getReference(bean, bean.getBeanClass(), beanManager.createCreationalContext(bean));
                reference.toString();
                created.add(DirectBeans.instance(reference));
            }
        }
        // once every one exists, so that no bean is made while another is still being made
        int wired = 0;
        for (Object instance : created) {
            wired += DirectBeans.wire(instance);
        }
        LOG.fine("Application-scoped beans call each other directly through " + wired + " of their injected fields");
    }

    /** Resources and providers: Jersey creates those itself, with its own injections, once its servlets start. */
    static boolean isJaxRsComponent(Class<?> type) {
        if (type.isAnnotationPresent(jakarta.ws.rs.Path.class) || type.isAnnotationPresent(jakarta.ws.rs.ext.Provider.class)) {
            return true;
        }
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Class<?> implemented : c.getInterfaces()) {
                if (implemented.getName().startsWith("jakarta.ws.rs.")) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Where the gateway answers, for the start-up log: each HTTP connector the container declares (Tomcat
     * names them over JMX), else only the context path, which every server knows.
     */
    static String addresses(String contextPath) {
        java.util.List<String> bases = new java.util.ArrayList<>();
        try {
            javax.management.MBeanServer server = java.lang.management.ManagementFactory.getPlatformMBeanServer();
            for (javax.management.ObjectName connector
                    : server.queryNames(new javax.management.ObjectName("*:type=Connector,*"), null)) {
                String protocol = String.valueOf(server.getAttribute(connector, "protocol"));
                if (!protocol.toLowerCase(java.util.Locale.ROOT).contains("ajp")) {
                    bases.add(server.getAttribute(connector, "scheme") + "://" + host(server.getAttribute(connector, "address"))
                            + ":" + server.getAttribute(connector, "port") + contextPath);
                }
            }
        } catch (javax.management.JMException | RuntimeException e) {
            // not Tomcat, or it names its connectors otherwise: the context path is all there is to say
        }
        if (bases.isEmpty()) {
            bases.add(contextPath.isEmpty() ? "(this server's address)" : "(this server's address)" + contextPath);
        }
        String base = bases.get(0);
        return "the OpenAI API at " + base + "/v1, the console at " + base + "/admin/, the API documentation at " + base
                + "/docs/" + (bases.size() > 1 ? " (also on " + String.join(", ", bases.subList(1, bases.size())) + ")" : "");
    }

    private static String host(Object address) {
        String text = address == null ? "" : address.toString().replaceFirst("^.*/", "");
        return text.isEmpty() || text.equals("0.0.0.0") || text.equals("::") || text.equals("0:0:0:0:0:0:0:0")
                ? "localhost" : text.contains(":") ? "[" + text + "]" : text;
    }

    void onStart(@Observes @Initialized(ApplicationScoped.class) Object event) {
        createApplicationBeans();
        // one node at a time stores what the configuration seeds, so nodes starting together on a new
        // database do not both insert the same admin key or provider
        jobLocks.exclusively("startup", () -> {
            seeder.seed();
            int prices = io.tokenrouter.usage.ShippedPrices.store(priceRepository);
            if (prices > 0) {
                LOG.info("Stored " + prices + " prices of the price table of " + io.tokenrouter.usage.ShippedPrices.table().asOf());
            }
            adminAccess.start();
        });
        runtimeSettings.start();
        routes.start();
        providers.start();
        autoProviders.start();
        holdReclaimer.start();
        keyCleanup.start();
        providerQuotas.start();
        budgetAlerts.start();
        retention.start();
        auditForwarder.start();
        usageRecorder.queued(); // starts the usage writer now, so shutdown drains it even before any request
        String contextPath = event instanceof jakarta.servlet.ServletContext servlet ? servlet.getContextPath() : "";
        LOG.info("TokenRouter started: " + addresses(contextPath));
    }
}
