package io.tokenrouter.console;

import jakarta.faces.context.ExceptionHandler;
import jakarta.faces.context.ExceptionHandlerFactory;
import jakarta.faces.context.ExceptionHandlerWrapper;
import jakarta.faces.context.FacesContext;
import org.primefaces.application.exceptionhandler.PrimeExceptionHandlerFactory;

/**
 * Errors of the console's Ajax requests go to PrimeFaces' handler (shown in the page by
 * {@code p:ajaxExceptionHandler}); errors of whole-page requests go to the container like any servlet
 * error, so its error page answers with the right status (403 for a form posted without this session's
 * view state) instead of being redirected to an error location with 200.
 */
public class ConsoleExceptionHandlerFactory extends ExceptionHandlerFactory {

    public ConsoleExceptionHandlerFactory(ExceptionHandlerFactory wrapped) {
        super(wrapped);
    }

    @Override
    public ExceptionHandler getExceptionHandler() {
        ExceptionHandler standard = getWrapped().getExceptionHandler();
        ExceptionHandler prime = new PrimeExceptionHandlerFactory(getWrapped()).getExceptionHandler();
        return new ExceptionHandlerWrapper(standard) {
            @Override
            public ExceptionHandler getWrapped() {
                FacesContext faces = FacesContext.getCurrentInstance();
                return faces != null && faces.getPartialViewContext().isAjaxRequest() ? prime : standard;
            }
        };
    }
}
