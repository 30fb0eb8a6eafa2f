package io.tokenrouter.observe;

import io.tokenrouter.access.AuditTrail;
import io.tokenrouter.access.Authorization;
import io.tokenrouter.access.Caller;
import io.tokenrouter.api.GatewayException;
import io.tokenrouter.routing.Routes;
import io.tokenrouter.store.Database;
import io.tokenrouter.store.PriceRepository;
import io.tokenrouter.usage.PriceBook;
import io.tokenrouter.usage.ShippedPrices;
import io.tokenrouter.usage.UsageRecorder;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;

/**
 * Model prices and the catalog priced by them, for admins: the shipped price table, an administrator's own prices
 * (audited in their transaction), and every model a client may ask for with its price where known.
 */
@ApplicationScoped
public class PriceService {

    @Inject
    UsageRecorder usage;
    @Inject
    PriceRepository prices;
    @Inject
    Routes routes;
    @Inject
    Database database;
    @Inject
    AuditTrail audit;

    /** One model a client may ask for: its public id, the provider and model it reaches, its price if known. */
    public record CatalogEntry(String id, String provider, String model, PriceRepository.Price price) {
    }

    /** The aggregated catalog: every discovered {@code provider/model} and alias, with prices where known. */
    public List<CatalogEntry> catalog(Caller actor) {
        Authorization.requireAdmin(actor);
        PriceBook book = PriceBook.load(prices);
        var table = routes.current();
        List<CatalogEntry> entries = new java.util.ArrayList<>();
        for (var model : table.models()) {
            try {
                var route = table.resolve(model.id());
                String provider = route.provider().name();
                entries.add(new CatalogEntry(model.id(), provider, route.upstreamModel(), book.find(provider, route.upstreamModel())));
            } catch (GatewayException e) {
                // its provider went away since the table was built: not offered
            }
        }
        return entries;
    }

    public List<PriceRepository.Price> prices(Caller actor) {
        Authorization.requireAdmin(actor);
        return prices.findAll();
    }

    /** Sets a price (an administrator's, which the shipped price table never replaces). */
    public List<PriceRepository.Price> setPrice(Caller actor, PriceDraft draft) {
        Authorization.requireAdmin(actor);
        PriceRepository.Price price = draft.validated();
        database.run(em -> {
            prices.store(price);
            audit.record(actor, "Set the price of " + describe(price.provider(), price.model()));
        });
        usage.pricesChanged();
        return prices.findAll();
    }

    /**
     * Removes a price; a model the shipped price table lists gets its shipped price back. 404 when there is none.
     */
    public List<PriceRepository.Price> deletePrice(Caller actor, String provider, String model) {
        Authorization.requireAdmin(actor);
        String at = provider == null ? "" : provider.trim();
        if (model == null || model.isBlank()) {
            throw GatewayException.invalidRequest("model", "model is required.");
        }
        database.run(em -> {
            if (prices.delete(at, model.trim()) == 0) {
                throw GatewayException.notFound("There is no price for " + describe(at, model.trim()) + ".");
            }
            audit.record(actor, "Removed the price of " + describe(at, model.trim()));
        });
        ShippedPrices.store(prices);
        usage.pricesChanged();
        return prices.findAll();
    }

    /** The date of the price table the gateway ships. */
    public java.time.LocalDate shippedPricesAsOf() {
        return ShippedPrices.table().asOf();
    }

    private static String describe(String provider, String model) {
        return (provider.isEmpty() ? "" : provider + "/") + model;
    }
}
