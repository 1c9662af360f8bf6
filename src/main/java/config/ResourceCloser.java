package config;

import java.util.List;

import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Closes what the configuration opened (connection pools, clients), newest first, when Camel stops. */
final class ResourceCloser extends ServiceSupport {

    private static final Logger LOG = LoggerFactory.getLogger(ResourceCloser.class);

    private final List<AutoCloseable> resources;

    ResourceCloser(List<AutoCloseable> resources) {
        this.resources = resources;
    }

    @Override
    protected void doStop() {
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                LOG.warn("Could not close {}: {}", resources.get(i), e.getMessage());
            }
        }
        resources.clear();
    }
}
