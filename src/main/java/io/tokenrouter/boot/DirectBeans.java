package io.tokenrouter.boot;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.inject.Inject;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Lets the gateway's application-scoped beans call one another directly instead of through CDI's client proxies.
 * Weld's proxy finds the bean's instance and opens (and then drops) an interception context on every call from a
 * thread that holds none, which is every call of the request path: some thirty calls and 5 KB of garbage a
 * request. An application-scoped instance lives as long as the application, so the instance itself serves as
 * well as its proxy.
 *
 * <p>Only Weld's proxies (which every supported server uses) of application-scoped beans are replaced, and only
 * in {@code @Inject} fields that are not final; anything else, or a CDI implementation that names its proxies
 * otherwise, keeps the proxy.
 */
final class DirectBeans {

    private static final Logger LOG = Logger.getLogger(DirectBeans.class.getName());
    private static final String WELD_PROXY = "org.jboss.weld.proxy.WeldClientProxy";

    private DirectBeans() {
    }

    /** The instance behind {@code reference} when it is a client proxy of an application-scoped bean; else {@code reference}. */
    @SuppressWarnings("unchecked")
    static <T> T instance(T reference) {
        Class<?> proxy = reference == null ? null : weldProxyType(reference.getClass());
        if (proxy == null) {
            return reference;
        }
        try {
            Method getMetadata = proxy.getMethod("getMetadata");
            Object metadata = getMetadata.invoke(reference);
            Class<?> metadataType = getMetadata.getReturnType();
            Bean<?> bean = (Bean<?>) metadataType.getMethod("getBean").invoke(metadata);
            if (bean.getScope() != ApplicationScoped.class) {
                return reference;
            }
            Object instance = metadataType.getMethod("getContextualInstance").invoke(metadata);
            return instance == null ? reference : (T) instance;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.log(Level.FINE, "Keeping the client proxy of " + reference.getClass().getName(), e);
            return reference;
        }
    }

    /**
     * Points the {@code @Inject} fields of {@code bean} (an instance, not a proxy) that hold client proxies of
     * application-scoped beans at those beans' instances; answers how many it changed.
     */
    static int wire(Object bean) {
        int wired = 0;
        for (Class<?> type = bean.getClass(); type != null && type != Object.class; type = type.getSuperclass()) {
            for (Field field : type.getDeclaredFields()) {
                if (field.isAnnotationPresent(Inject.class) && !Modifier.isFinal(field.getModifiers())
                        && !Modifier.isStatic(field.getModifiers()) && rewire(bean, field)) {
                    wired++;
                }
            }
        }
        return wired;
    }

    private static boolean rewire(Object bean, Field field) {
        try {
            field.setAccessible(true);
            Object reference = field.get(bean);
            Object instance = instance(reference);
            if (instance == reference || !field.getType().isInstance(instance)) {
                return false;
            }
            field.set(bean, instance);
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.log(Level.FINE, "Keeping the client proxy in " + field, e);
            return false;
        }
    }

    private static Class<?> weldProxyType(Class<?> type) {
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Class<?> implemented : c.getInterfaces()) {
                if (implemented.getName().equals(WELD_PROXY)) {
                    return implemented;
                }
            }
        }
        return null;
    }
}
