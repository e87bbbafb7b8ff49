/**
 * Sell My Images > Jobs: confirmations, live status refresh, batch progress.
 *
 * Vanilla JS, no build step. Reads the rows' data attributes
 * (data-job-id, data-status, data-refundable, data-credits, data-currency).
 *
 * @package SellMyImages
 * @since   1.0.0
 */
( function () {
	'use strict';

	var cfg = window.smiJobs || {};
	var i18n = cfg.i18n || {};
	var IN_FLIGHT = [ 'awaiting_payment', 'pending', 'processing' ];

	function sprintf( format ) {
		var args = Array.prototype.slice.call( arguments, 1 );
		var next = 0;
		return String( format ).replace( /%(?:(\d+)\$)?[sd]/g, function ( match, pos ) {
			var value = pos ? args[ parseInt( pos, 10 ) - 1 ] : args[ next++ ];
			return value === undefined ? '' : String( value );
		} );
	}

	function decimals( currency ) {
		var zero = [ 'bif', 'clp', 'djf', 'gnf', 'jpy', 'kmf', 'krw', 'mga', 'pyg', 'rwf', 'ugx', 'vnd', 'vuv', 'xaf', 'xof', 'xpf' ];
		var three = [ 'bhd', 'jod', 'kwd', 'omr', 'tnd' ];
		if ( zero.indexOf( currency ) !== -1 ) {
			return 0;
		}
		return three.indexOf( currency ) !== -1 ? 3 : 2;
	}

	// Formats integer minor units; the division only feeds the display.
	function money( minor, currency ) {
		currency = ( currency || 'usd' ).toLowerCase();
		var d = decimals( currency );
		try {
			return new Intl.NumberFormat( document.documentElement.lang || undefined, {
				style: 'currency',
				currency: currency.toUpperCase(),
				minimumFractionDigits: d,
				maximumFractionDigits: d
			} ).format( minor / Math.pow( 10, d ) );
		} catch ( e ) {
			return ( minor / Math.pow( 10, d ) ).toFixed( d ) + ' ' + currency.toUpperCase();
		}
	}

	function post( action, data ) {
		var body = new URLSearchParams();
		body.append( 'action', action );
		body.append( 'nonce', cfg.nonce || '' );
		Object.keys( data ).forEach( function ( key ) {
			var value = data[ key ];
			if ( Array.isArray( value ) ) {
				value.forEach( function ( v ) {
					body.append( key + '[]', v );
				} );
			} else {
				body.append( key, value );
			}
		} );
		return fetch( cfg.ajaxUrl, { method: 'POST', credentials: 'same-origin', body: body } ).then( function ( r ) {
			return r.json();
		} );
	}

	/* ---- Confirmations on links and buttons (.smi-confirm[data-confirm]) ---- */

	document.addEventListener( 'click', function ( event ) {
		var el = event.target.closest ? event.target.closest( '.smi-confirm[data-confirm]' ) : null;
		if ( el && ! window.confirm( el.getAttribute( 'data-confirm' ) ) ) {
			event.preventDefault();
		}
	} );

	/* ---- The one-time download link: select it for copying ---- */

	var newLink = document.getElementById( 'smi-new-download-link' );
	if ( newLink ) {
		newLink.addEventListener( 'focus', function () {
			newLink.select();
		} );
	}

	/* ---- Refund form on the details screen ---- */

	var refundForm = document.getElementById( 'smi-refund-form' );
	if ( refundForm ) {
		refundForm.addEventListener( 'submit', function ( event ) {
			var input = document.getElementById( 'smi-refund-amount-input' );
			var reason = document.getElementById( 'smi-refund-reason' );
			if ( reason && ! reason.value.trim() ) {
				event.preventDefault();
				window.alert( i18n.needReason );
				return;
			}
			var amount = input ? input.value.trim() + ' ' + ( input.getAttribute( 'data-currency' ) || '' ).toUpperCase() : '';
			if ( ! window.confirm( sprintf( i18n.confirmRefundOne, amount ) ) ) {
				event.preventDefault();
				return;
			}
			// One submit only: the idempotency key protects the daemon, this protects the admin.
			var button = refundForm.querySelector( '[type=submit]' );
			if ( button ) {
				setTimeout( function () {
					button.disabled = true;
				}, 0 );
			}
		} );
	}

	/* ---- Bulk actions on the list ---- */

	var form = document.getElementById( 'smi-jobs-filter' );
	var params = document.getElementById( 'smi-bulk-params' );
	var lastButton = null;

	function chosenAction() {
		var top = form.querySelector( 'select[name=action]' );
		var bottom = form.querySelector( 'select[name=action2]' );
		if ( lastButton && lastButton.id === 'doaction2' && bottom ) {
			return bottom.value;
		}
		return top ? top.value : '-1';
	}

	function toggleParams() {
		if ( ! params ) {
			return;
		}
		var action = chosenAction();
		var needsReason = action === 'refund' || action === 'set_status';
		params.querySelector( '.smi-bulk-reason-wrap' ).hidden = ! needsReason;
		params.querySelector( '.smi-bulk-status-wrap' ).hidden = action !== 'set_status';
	}

	if ( form ) {
		form.addEventListener( 'click', function ( event ) {
			if ( event.target.id === 'doaction' || event.target.id === 'doaction2' ) {
				lastButton = event.target;
			} else if ( event.target.type === 'submit' ) {
				lastButton = null;
			}
		} );
		form.addEventListener( 'change', function ( event ) {
			if ( event.target.name === 'action' || event.target.name === 'action2' ) {
				lastButton = event.target.name === 'action2' ? { id: 'doaction2' } : null;
				toggleParams();
			}
		} );
		toggleParams();

		form.addEventListener( 'submit', function ( event ) {
			if ( ! lastButton || ( lastButton.id !== 'doaction' && lastButton.id !== 'doaction2' ) ) {
				return;
			}
			var action = chosenAction();
			if ( ! action || action === '-1' ) {
				return;
			}
			var all = document.getElementById( 'smi-apply-all' );
			var applyAll = !! ( all && all.checked );
			var rows = Array.prototype.map.call( form.querySelectorAll( 'input[name="job_ids[]"]:checked' ), function ( cb ) {
				return cb.closest( 'tr' );
			} );
			if ( ! applyAll && ! rows.length ) {
				event.preventDefault();
				window.alert( i18n.needSelection );
				return;
			}
			var reason = document.getElementById( 'smi-bulk-reason' );
			var status = document.getElementById( 'smi-bulk-status' );
			if ( ( action === 'refund' || action === 'set_status' ) && reason && ! reason.value.trim() ) {
				event.preventDefault();
				window.alert( i18n.needReason );
				return;
			}
			if ( action === 'set_status' && status && ! status.value ) {
				event.preventDefault();
				window.alert( i18n.needStatus );
				return;
			}
			var count = applyAll ? ( cfg.totalCapped ? cfg.total + '+' : String( cfg.total ) ) : String( rows.length );
			var message;
			if ( action === 'refund' ) {
				if ( applyAll ) {
					message = sprintf( i18n.confirmRefundAll, count );
				} else {
					var sum = 0;
					var currency = 'usd';
					rows.forEach( function ( row ) {
						sum += parseInt( row.getAttribute( 'data-refundable' ), 10 ) || 0;
						currency = row.getAttribute( 'data-currency' ) || currency;
					} );
					message = sprintf( i18n.confirmRefund, rows.length, money( sum, currency ) );
				}
			} else if ( action === 'retry' || action === 'retry_unpaid' ) {
				if ( applyAll ) {
					message = sprintf( i18n.confirmRetryAll, count );
				} else {
					var credits = 0;
					rows.forEach( function ( row ) {
						credits += parseInt( row.getAttribute( 'data-credits' ), 10 ) || 0;
					} );
					message = sprintf( i18n.confirmRetry, rows.length, credits );
				}
			} else if ( action === 'set_status' ) {
				message = sprintf( i18n.confirmStatus, count, ( cfg.statusLabels || {} )[ status.value ] || status.value );
			} else if ( action === 'regenerate_token' || action === 'regenerate_token_email' ) {
				message = sprintf( i18n.confirmTokens, count );
			} else {
				message = sprintf( i18n.confirmGeneric, count );
			}
			if ( ! window.confirm( message ) ) {
				event.preventDefault();
			}
		} );
	}

	/* ---- Live refresh of in-flight rows ---- */

	var toggle = document.getElementById( 'smi-autorefresh-toggle' );
	var paused = false;
	var timer = null;
	try {
		paused = window.localStorage.getItem( 'smiJobsAutoRefreshPaused' ) === '1';
	} catch ( e ) {}

	function inFlightIds() {
		return Array.prototype.filter.call( document.querySelectorAll( 'tr.smi-job-row' ), function ( row ) {
			return IN_FLIGHT.indexOf( row.getAttribute( 'data-status' ) ) !== -1;
		} ).map( function ( row ) {
			return row.getAttribute( 'data-job-id' );
		} );
	}

	function renderToggle() {
		if ( ! toggle ) {
			return;
		}
		toggle.hidden = ! inFlightIds().length;
		toggle.textContent = paused ? i18n.resume : i18n.pause;
		toggle.setAttribute( 'aria-pressed', paused ? 'true' : 'false' );
	}

	function schedule() {
		clearTimeout( timer );
		if ( ! paused && inFlightIds().length ) {
			timer = setTimeout( refresh, parseInt( cfg.pollInterval, 10 ) || 5000 );
		}
	}

	function refresh() {
		var ids = inFlightIds();
		if ( paused || ! ids.length || document.hidden ) {
			schedule();
			return;
		}
		post( 'smi_job_statuses', { job_ids: ids } ).then( function ( res ) {
			var note = document.getElementById( 'smi-refresh-error' );
			if ( ! res || ! res.success ) {
				if ( ! note && toggle ) {
					note = document.createElement( 'span' );
					note.id = 'smi-refresh-error';
					note.className = 'smi-refresh-error';
					note.textContent = i18n.refreshFailed;
					toggle.insertAdjacentElement( 'afterend', note );
				}
				return;
			}
			if ( note ) {
				note.remove();
			}
			Object.keys( res.data.jobs || {} ).forEach( function ( id ) {
				var job = res.data.jobs[ id ];
				var row = document.getElementById( 'smi-job-' + id );
				if ( ! row || row.getAttribute( 'data-status' ) === job.status && row.getAttribute( 'data-payment-status' ) === job.payment_status ) {
					return;
				}
				row.setAttribute( 'data-status', job.status );
				row.setAttribute( 'data-payment-status', job.payment_status );
				row.className = row.className.replace( /smi-row-status-\S+/, 'smi-row-status-' + job.status ) + ' smi-row-updated';
				var statusCell = row.querySelector( 'td.column-status' );
				var paymentCell = row.querySelector( 'td.column-payment_status' );
				// The HTML comes from our own endpoint, built with esc_html/esc_attr.
				if ( statusCell ) {
					statusCell.innerHTML = job.status_html;
				}
				if ( paymentCell ) {
					paymentCell.innerHTML = job.payment_html;
				}
			} );
		} ).catch( function () {} ).then( function () {
			renderToggle();
			schedule();
		} );
	}

	if ( toggle ) {
		toggle.addEventListener( 'click', function () {
			paused = ! paused;
			try {
				window.localStorage.setItem( 'smiJobsAutoRefreshPaused', paused ? '1' : '0' );
			} catch ( e ) {}
			renderToggle();
			schedule();
		} );
		renderToggle();
		schedule();
	}

	/* ---- Batch progress ---- */

	var batch = document.getElementById( 'smi-batch-progress' );
	if ( batch ) {
		var batchId = batch.getAttribute( 'data-batch-id' );
		var text = batch.querySelector( '.smi-batch-text' );
		var bar = batch.querySelector( '.smi-batch-bar' );
		var poll = function () {
			post( 'smi_batch_status', { batch_id: batchId } ).then( function ( res ) {
				if ( ! res || ! res.success ) {
					text.textContent = ( res && res.data && res.data.message ) || i18n.refreshFailed;
					setTimeout( poll, 5000 );
					return;
				}
				var b = res.data;
				bar.max = Math.max( 1, b.total );
				bar.value = b.done + b.failed;
				if ( b.state === 'running' ) {
					text.textContent = sprintf( i18n.batchProgress, b.done, b.total, b.failed );
					setTimeout( poll, 2000 );
				} else if ( b.state === 'cancelled' ) {
					text.textContent = i18n.batchCancelled;
				} else {
					text.textContent = sprintf( i18n.batchDone, b.done, b.total, b.failed );
					batch.className = batch.className.replace( 'notice-info', b.failed ? 'notice-warning' : 'notice-success' );
				}
				batch.setAttribute( 'data-state', b.state );
			} ).catch( function () {
				setTimeout( poll, 5000 );
			} );
		};
		poll();
	}
}() );
