/**
 * Sell My Images: "Download Hi-Res" dialog (vanilla JS, <dialog>).
 *
 * Loads the prices from smi/v1/prices, posts smi/v1/checkout and sends the
 * visitor to Stripe Checkout. Back from Stripe, shows the job's progress.
 *
 * @package SellMyImages
 * @since   1.0.0
 */
( function () {
	'use strict';

	var cfg = window.smiBuy || {};
	var i18n = cfg.i18n || {};
	// WordPress's own printf (the wp-i18n script): %s, %d and %1$s.
	var sprintf = window.wp.i18n.sprintf;
	var dialog = document.getElementById( 'smi-buy-dialog' );
	var current = null;

	function api( path, options ) {
		return fetch( cfg.restUrl + path, options || {} ).then( function ( r ) {
			return r.json().then( function ( body ) {
				if ( ! r.ok ) {
					throw new Error( ( body && body.message ) || i18n.unavailable );
				}
				return body;
			} );
		} );
	}

	function message( text ) {
		var el = document.getElementById( 'smi-buy-message' );
		if ( el ) {
			el.textContent = text || '';
		}
	}

	function open( button ) {
		if ( ! dialog || typeof dialog.showModal !== 'function' ) {
			return;
		}
		current = {
			attachmentId: button.getAttribute( 'data-attachment-id' ),
			postId: button.getAttribute( 'data-post-id' )
		};
		var options = document.getElementById( 'smi-buy-options' );
		Array.prototype.forEach.call( options.querySelectorAll( 'label' ), function ( l ) {
			l.remove();
		} );
		document.getElementById( 'smi-buy-submit' ).disabled = true;
		message( i18n.loading );
		dialog.showModal();
		api( 'prices?attachment_id=' + encodeURIComponent( current.attachmentId ) + '&post_id=' + encodeURIComponent( current.postId ) ).then( function ( data ) {
			message( '' );
			( data.prices || [] ).forEach( function ( price, index ) {
				var label = document.createElement( 'label' );
				var input = document.createElement( 'input' );
				input.type = 'radio';
				input.name = 'resolution';
				input.value = price.resolution;
				input.checked = index === 0;
				label.appendChild( input );
				label.appendChild( document.createTextNode( ' ' + sprintf( i18n.option, price.resolution, price.output_width, price.output_height, price.amount_display ) ) );
				options.appendChild( label );
			} );
			document.getElementById( 'smi-buy-submit' ).disabled = ! ( data.prices || [] ).length;
			if ( ! ( data.prices || [] ).length ) {
				message( i18n.unavailable );
			}
		} ).catch( function ( err ) {
			message( err.message );
		} );
	}

	document.addEventListener( 'click', function ( event ) {
		var button = event.target.closest ? event.target.closest( '.smi-buy-button' ) : null;
		if ( button ) {
			event.preventDefault();
			open( button );
		}
		if ( event.target.id === 'smi-buy-cancel' && dialog ) {
			dialog.close();
		}
	} );

	var form = document.getElementById( 'smi-buy-form' );
	if ( form ) {
		form.addEventListener( 'submit', function ( event ) {
			event.preventDefault();
			var choice = form.querySelector( 'input[name=resolution]:checked' );
			if ( ! choice || ! current ) {
				message( i18n.choose );
				return;
			}
			var submit = document.getElementById( 'smi-buy-submit' );
			submit.disabled = true;
			message( i18n.redirecting );
			api( 'checkout', {
				method: 'POST',
				headers: { 'Content-Type': 'application/json' },
				body: JSON.stringify( {
					attachment_id: parseInt( current.attachmentId, 10 ),
					post_id: parseInt( current.postId, 10 ),
					resolution: choice.value,
					email: document.getElementById( 'smi-buy-email' ).value.trim()
				} )
			} ).then( function ( data ) {
				try {
					window.sessionStorage.setItem( 'smiJobId', data.job_id );
				} catch ( e ) {}
				window.location.assign( data.checkout_url );
			} ).catch( function ( err ) {
				submit.disabled = false;
				message( err.message );
			} );
		} );
	}

	// Back from Stripe: say what happens next, and follow the job for a while.
	var params = new URLSearchParams( window.location.search );
	var outcome = params.get( 'smi_checkout' );
	if ( outcome ) {
		var notice = document.createElement( 'div' );
		notice.className = 'smi-buy-notice';
		notice.id = 'smi-checkout-notice';
		notice.setAttribute( 'role', 'status' );
		notice.textContent = outcome === 'success' ? i18n.thanks : i18n.cancelled;
		var anchor = document.querySelector( 'main' ) || document.body;
		anchor.insertBefore( notice, anchor.firstChild );
		var jobId = null;
		try {
			jobId = window.sessionStorage.getItem( 'smiJobId' );
		} catch ( e ) {}
		if ( outcome === 'success' && jobId && /^[0-9a-f-]{36}$/.test( jobId ) ) {
			var tries = 0;
			var follow = function () {
				api( 'jobs/' + jobId + '/status' ).then( function ( job ) {
					if ( job.download_ready ) {
						notice.textContent = i18n.ready;
						window.sessionStorage.removeItem( 'smiJobId' );
					} else if ( ++tries < 60 ) {
						setTimeout( follow, 5000 );
					}
				} ).catch( function () {} );
			};
			follow();
		}
	}
}() );
