/** The page's entry: the element does everything; the page only hosts it with url-state. */
import './ui/index';
