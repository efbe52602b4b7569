//! Every text the service shows, in Spanish (the guide's labels) and English.
//!
//! One enum instead of string keys: a missing or misspelt label is a compile error, and the
//! browser bundle carries only the table it needs.

use serde::{Deserialize, Serialize};

use crate::dates::RangeProblem;
use crate::lifecycle::{Action, Refusal};
use crate::model::{CaseType, Channel, NoticeKind, Role, State, Substate};
use crate::validation::FieldProblem;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Es,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Es => "es",
            Lang::En => "en",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        match code.trim().to_ascii_lowercase().as_str() {
            "es" => Some(Lang::Es),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Es => Lang::En,
            Lang::En => Lang::Es,
        }
    }
}

macro_rules! messages {
    ($($key:ident => ($es:expr, $en:expr)),+ $(,)?) => {
        /// A fixed text of the interface.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Msg { $($key),+ }

        impl Msg {
            pub fn text(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $((Msg::$key, Lang::Es) => $es, (Msg::$key, Lang::En) => $en,)+
                }
            }
        }
    };
}

messages! {
    // Shell and header (the guide's screens).
    ServiceName => ("Servicio para la Atención del Autorizado RED", "Support Service for RED Authorised Users"),
    ServiceShort => ("Atención y Soporte al Autorizado", "Authorised User Support"),
    SkipToContent => ("Saltar al contenido", "Skip to content"),
    RazonSocial => ("Razón Social", "Company name"),
    NumAutorizacion => ("Nº Autorización", "Authorisation no."),
    Nif => ("NIF", "Tax ID (NIF)"),
    Nombre => ("Nombre", "Name"),
    FechaHoraActual => ("Fecha y Hora Actual", "Current date and time"),
    Salir => ("Salir", "Log out"),
    Atras => ("Atrás", "Back"),
    SwitchToOther => ("English", "Español"),
    Buzon => ("Buzón", "Inbox"),
    // `Tokens de acceso` (the integration API).
    TokensAcceso => ("Tokens de acceso", "Access tokens"),
    TokensAyuda => ("Los programas de su autorización (por ejemplo, el de nóminas) usan estos tokens para llamar a la API de Casia en su nombre. Los crea el operador del servicio y solo se muestran entonces; aquí puede ver los suyos y revocarlos: un token revocado deja de funcionar en el acto.", "Your authorisation's software (the payroll program, for instance) uses these tokens to call Casia's API on your behalf. The service's operator creates them, and they are shown only then; here you can see yours and revoke them: a revoked token stops working at once."),
    TokensPrincipal => ("Como usuario principal, ve y puede revocar los tokens de todos los usuarios de la autorización.", "As the main user, you see and can revoke the tokens of every user of the authorisation."),
    TokensVacio => ("No hay tokens de acceso.", "There are no access tokens."),
    TokenTitular => ("Titular", "Owner"),
    TokenPermisos => ("Permisos", "Scopes"),
    TokenCreado => ("Creado", "Created"),
    TokenCaduca => ("Caduca", "Expires"),
    TokenUltimoUso => ("Último uso", "Last used"),
    TokenNuncaUsado => ("Nunca", "Never"),
    TokenEstado => ("Estado", "Status"),
    TokenActivo => ("Activo", "Active"),
    TokenRevocado => ("Revocado", "Revoked"),
    TokenCaducado => ("Caducado", "Expired"),
    Revocar => ("Revocar", "Revoke"),
    ReferenciaApi => ("Referencia de la API", "API reference"),
    // Notice emails.
    NoticeGreeting => ("Estimado/a autorizado/a:", "Dear authorised user,"),
    NoticeCaseLink => ("Consulte el caso en:", "See the case at:"),
    NoticeOpenCase => ("Ver el caso", "View the case"),
    NoticeAutomatic => ("Este es un mensaje automático del servicio; no responda a este correo.", "This is an automatic message from the service; please do not reply to it."),
    NoticeWhyReceived => ("Lo recibe porque la autorización facilitó esta dirección y dio su consentimiento para recibir avisos. El usuario principal puede cambiarlo en Consulta/Modificación de datos de contacto.", "You receive it because the authorisation gave this address and consented to notices. The main user can change this in Contact data."),
    UnreadNotices => ("avisos sin leer", "unread notices"),
    MainNavigation => ("Navegación principal", "Main navigation"),
    Loading => ("Cargando…", "Loading…"),
    RequiredLegend => ("Los campos marcados con (*) son campos obligatorios.", "Fields marked (*) are required."),
    Yes => ("Sí", "Yes"),
    No => ("No", "No"),
    Seleccione => ("Seleccione", "Select"),
    Todos => ("Todos", "All"),
    Save => ("Guardar", "Save"),
    Cancel => ("Cancelar", "Cancel"),
    Send => ("Enviar", "Send"),
    NotFoundTitle => ("Página no encontrada", "Page not found"),
    NotFoundText => ("La dirección no corresponde a ninguna página del servicio.", "That address is not a page of the service."),
    ForbiddenTitle => ("Acceso no permitido", "Access not allowed"),
    GoHome => ("Ir al inicio", "Go to the start page"),
    Footer => ("Casia — servicio de código abierto de atención al autorizado RED", "Casia — open-source support service for RED authorised users"),

    // Login.
    LoginTitle => ("Acceso al servicio", "Sign in"),
    LoginIntro => ("Identifíquese con su usuario personal para gestionar los casos de sus autorizaciones.", "Sign in with your personal account to manage the cases of your authorisations."),
    Username => ("Usuario", "Username"),
    Password => ("Contraseña", "Password"),
    LoginButton => ("Acceder", "Sign in"),
    LoggedOut => ("Ha salido del servicio.", "You have logged out."),
    SessionExpired => ("Su sesión ha caducado. Vuelva a identificarse.", "Your session has expired. Please sign in again."),

    // Authorisation picker (guide §3).
    PickerTitle => ("Identificación y selección del autorizado", "Choose an authorisation"),
    PickerIntro => ("Es usuario en más de una autorización. Pulse sobre el número de la autorización desde la que desea gestionar.", "You belong to more than one authorisation. Click the number of the authorisation you want to work for."),
    MainUser => ("Usuario principal", "Main user"),
    ChangeAuthorisation => ("Cambiar de autorización", "Change authorisation"),
    NoAuthorisation => ("Su usuario no está de alta en ninguna autorización. Contacte con el administrador.", "Your account does not belong to any authorisation. Contact the administrator."),

    // Action selection (guide §4).
    ActionTitle => ("Selección de la acción a realizar", "Choose what to do"),
    NuevoCaso => ("Nuevo Caso", "New Case"),
    NuevoCasoHelp => ("Dar de alta una consulta, un error o incidencia, o una solicitud de trámite.", "Open a query, an error or incident, or a procedure request."),
    GestionCasos => ("Gestión de Casos", "Case Management"),
    GestionCasosHelp => ("Consultar los casos dados de alta, aportar información o documentación, solicitar su anulación y valorar la atención recibida.", "Look up your cases, add information or documents, request cancellation and rate the service."),
    DatosContacto => ("Consulta/Modificación de datos de contacto", "Contact data"),
    DatosContactoHelp => ("Correo electrónico de la autorización y consentimiento para recibir avisos.", "The authorisation's email address and consent to notices."),
    VerificacionDocumentos => ("Verificación de Documentos", "Document Verification"),
    BuzonHelp => ("Avisos del servicio sobre sus casos.", "Notices about your cases."),

    // Staff landing pages.
    WorkspaceTitle => ("Área de tramitación", "Processing workspace"),
    AdminTitle => ("Administración", "Administration"),

    // Case fields (guide §4.1, §4.2.1 screens).
    InformacionCaso => ("Información del Caso", "Case information"),
    TipoCaso => ("Tipo de Caso", "Case type"),
    Materia => ("Materia", "Subject"),
    Categoria => ("Categoría", "Category"),
    Subcategoria => ("Subcategoría", "Subcategory"),
    AfectaPeriodo => ("Afecta al Periodo de Presentación en Curso", "Affects the current filing period"),
    Titulo => ("Título", "Title"),
    Descripcion => ("Descripción", "Description"),
    Autorizado => ("Autorizado", "Opened by"),
    NumeroCaso => ("Número de Caso", "Case number"),
    FechaHoraAlta => ("Fecha y Hora de Alta", "Opened on"),
    CanalEntrada => ("Canal de Entrada", "Entry channel"),
    Estado => ("Estado", "State"),
    Subestado => ("Subestado", "Substate"),
    FechaHoraSubestado => ("Fecha y Hora Subestado", "Substate since"),
    Documentacion => ("Documentación", "Documents"),
    FechaHoraAnexado => ("Fecha y Hora de Anexado", "Attached on"),
    Tipo => ("Tipo", "Type"),
    Documento => ("Documento", "Document"),
    SinDocumentos => ("No se han anexado documentos.", "No documents attached."),
    FechaHora => ("Fecha y Hora", "Date and time"),
    Autor => ("Autor", "Author"),
    Texto => ("Texto", "Text"),
    Comunicaciones => ("Comunicaciones", "Messages"),
    Justificantes => ("Justificantes", "Receipts"),
    ClasificacionEnJustificante => ("Clasificación en el justificante (a la fecha de emisión)", "Classification on the receipt (as of its issue date)"),
    Resolucion => ("Resolución del caso", "Resolution"),
    Observaciones => ("Observaciones", "Observations"),

    // Nuevo Caso (guide §4.1).
    AnexarInformacion => ("Anexar Información", "Attach documents"),
    DocumentsHint => ("Seleccione el tipo, indique un título y elija el archivo. Tamaño máximo por archivo:", "Choose the type, give a title and pick the file. Maximum size per file:"),
    DocumentTitlePlaceholder => ("Título del documento", "Document title"),
    AnadirDocumento => ("Añadir documento", "Add a document"),
    QuitarDocumento => ("Quitar", "Remove"),
    Uploading => ("Subiendo…", "Uploading…"),
    AyudaDocumentacion => ("Ayuda Documentación", "Documentation help"),
    AyudaDocumentacionElija => ("Elija la materia, la categoría y la subcategoría para ver la documentación que debe aportar.", "Choose the subject, category and subcategory to see the documents you need to provide."),
    FinalizarAlta => ("Finalizar Alta", "Submit case"),
    Sending => ("Enviando…", "Sending…"),
    AltaConfirmada => ("Alta Confirmada", "Case opened"),
    NumeroCasoAsignado => ("Número de caso asignado", "Case number assigned"),
    AltaConfirmadaTexto => ("El alta del caso se ha realizado correctamente. Recibirá un mensaje en la dirección de correo electrónico que nos ha facilitado informándole del número de caso que se le ha asignado. Tenga en cuenta que de no haber facilitado una dirección de correo electrónico y otorgado el consentimiento para recibir avisos y comunicaciones no recibirá este mensaje. Le recordamos que tiene a su disposición el servicio \"Consulta/modificación de datos de contacto\".", "The case was opened. You will receive a message at the email address you gave us with the case number assigned. If you have not given an email address and consent to receive notices, you will not receive this message. You can check and change them in \"Contact data\"."),
    JustificanteSolicitud => ("Justificante de solicitud de trámite", "Procedure request receipt"),
    JustificanteComplementaria => ("Justificante de documentación complementaria anexada", "Receipt of additional documents"),
    JustificanteExplicacion => ("El justificante recoge el número de caso, la fecha y hora de apertura, la relación de documentos anexados y el código CEA para comprobar su autenticidad.", "The receipt shows the case number, the opening date and time, the attached documents and the CEA code to check its authenticity."),
    DescargarJustificante => ("Descargar justificante (PDF)", "Download receipt (PDF)"),
    VerCaso => ("Ver el caso", "View the case"),

    // Gestión de Casos (guide §4.2).
    SearchIntro => ("Consulte sus casos por número (Opción 1) o combinando filtros (Opción 2).", "Find your cases by number (Option 1) or with filters (Option 2)."),
    Opcion1 => ("Opción 1: Filtro por número de caso", "Option 1: by case number"),
    Opcion2 => ("Opción 2: Combinación de datos para filtrar", "Option 2: combined filters"),
    Consultar => ("Consultar", "Look up"),
    FechaAltaDesde => ("Fecha de Alta Desde", "Opened from"),
    FechaAltaHasta => ("Fecha de Alta Hasta", "Opened to"),
    UsuarioAlta => ("Usuario de Alta", "Opened by"),
    Buscar => ("Buscar", "Search"),
    Resultados => ("Casos encontrados", "Cases found"),
    SinResultados => ("No hay casos que cumplan los criterios de búsqueda.", "No cases match the search."),
    MostrarMas => ("Mostrar más", "Show more"),
    // Buscar en los casos (full-text search) and Exportar CSV.
    BuscarEnCasos => ("Buscar en los casos", "Search in cases"),
    PalabrasBuscar => ("Palabras a buscar", "Words to search for"),
    TextSearchHint => ("Busca en el número, título, descripción, mensajes, resolución y documentos de los casos de su autorización, sin distinguir tildes ni terminaciones («reflejado» encuentra «reflejada»).", "Searches the number, title, description, messages, resolution and documents of your authorisation's cases, ignoring accents and word endings (\"reflejado\" finds \"reflejada\")."),
    StaffTextSearchHint => ("Busca en el número, título, descripción, mensajes, resolución, notas internas y documentos, sin distinguir tildes ni terminaciones. Los filtros de la bandeja se aplican también.", "Searches the number, title, description, messages, resolution, internal notes and documents, ignoring accents and word endings. The queue filters apply too."),
    BuscarEn => ("Buscar en", "Search in"),
    TodosLosCasos => ("Todos los casos", "All cases"),
    Coincidencia => ("Coincidencia", "Match"),
    DetalleCaso => ("Detalle del caso", "Case"),
    ModificarInformacion => ("Modificar Información", "Modify Information"),
    SolicitarAnulacion => ("Solicitar Anulación", "Request Cancellation"),
    ConsultaHistorico => ("Consulta Histórico", "History"),
    Valoracion => ("Valoración", "Rating"),
    VolverAlCaso => ("Volver al caso", "Back to the case"),
    AvisoSolicitadaInformacion => ("El tramitador ha solicitado información o documentación. Apórtela mediante «Modificar Información», no por correo electrónico.", "The processor asked for information or documents. Provide them with \"Modify Information\", not by email."),
    AvisoSolicitadaReclasificacion => ("El tramitador ha solicitado que modifique la clasificación del caso. Hágalo mediante «Modificar Información».", "The processor asked you to change the case's classification. Do it with \"Modify Information\"."),
    PeticionTramitador => ("Petición del tramitador", "The processor's request"),
    InformacionAdicional => ("Información adicional", "Additional information"),
    InformacionAnadida => ("La información se ha añadido al caso.", "The information was added to the case."),
    ModificacionNoPosible => ("El caso está cerrado: no es posible modificar su información.", "The case is closed: its information can no longer be changed."),
    Reclasificacion => ("Reclasificación del caso", "Reclassification"),
    ReclasificacionExplica => ("Elija la clasificación que corresponde al contenido de su solicitud.", "Choose the classification that matches your request."),
    MsgUserInformation => ("Información aportada", "Information provided"),
    MsgInformationRequest => ("Solicitud de información", "Information request"),
    MsgReclassificationRequest => ("Solicitud de reclasificación", "Reclassification request"),
    MsgCancellationRequest => ("Solicitud de anulación", "Cancellation request"),
    MsgCancellationRejection => ("Anulación rechazada", "Cancellation rejected"),
    MsgResolution => ("Resolución", "Resolution"),
    AnulacionExplicaInmediata => ("El caso aún no ha sido atendido por ningún tramitador: la solicitud supone su anulación inmediata (Cerrado/Anulado).", "No processor has taken the case yet: it will be cancelled at once (Closed/Cancelled)."),
    AnulacionExplicaPendiente => ("El caso ya está siendo tramitado: un tramitador aprobará o rechazará la solicitud y recibirá un aviso con la decisión.", "The case is being processed: a processor will approve or reject the request and you will be notified."),
    AnulacionNoPosible => ("No es posible solicitar la anulación: el caso está cerrado o ya tiene una solicitud pendiente.", "Cancellation cannot be requested: the case is closed or already has a pending request."),
    MotivoOpcional => ("Motivo (opcional)", "Reason (optional)"),
    ConfirmarAnulacion => ("Confirmar la solicitud de anulación", "Confirm the cancellation request"),
    AnuladoAutomaticamente => ("El caso ha sido anulado (Cerrado/Anulado).", "The case was cancelled (Closed/Cancelled)."),
    AnulacionRegistrada => ("La solicitud de anulación se ha registrado. Un tramitador la aprobará o rechazará.", "The cancellation request was recorded. A processor will approve or reject it."),
    AnulacionPendiente => ("Hay una solicitud de anulación pendiente de decisión del tramitador.", "A cancellation request is waiting for the processor's decision."),
    AnulacionRechazada => ("La solicitud de anulación fue rechazada; el caso sigue en tramitación. Motivo:", "The cancellation request was rejected; the case goes on. Reason:"),
    DetalleHistoricos => ("Detalle de los Históricos de un Caso", "Case history"),
    HistoricoCaption => ("Estados por los que ha pasado el caso", "States the case has gone through"),
    FechaHoraEstado => ("Fecha y Hora de Estado", "Date and time"),
    NotaAlta => ("Alta del caso", "Case opened"),
    NotaInformacionAportada => ("Información o documentación aportada", "Information or documents provided"),
    NotaReclasificado => ("Clasificación modificada", "Classification changed"),
    NotaSolicitudAnulacion => ("Solicitud de anulación", "Cancellation requested"),
    NotaAnulacionAprobada => ("Anulación aprobada", "Cancellation approved"),
    Puntuacion => ("Puntuación", "Score"),
    ValoracionExplica => ("Valore la atención recibida de 1 (mínima) a 5 (máxima) e indique, si lo desea, las observaciones que justifican su puntuación.", "Rate the service from 1 (lowest) to 5 (highest) and, if you wish, explain your score."),
    EnviarValoracion => ("Enviar valoración", "Send rating"),
    GraciasValoracion => ("Gracias: su valoración se ha registrado.", "Thank you: your rating was recorded."),
    ValoracionNoPosible => ("Solo se puede valorar una vez un caso cerrado.", "A case can be rated once, after it is closed."),

    // Verificación de Documentos.
    VerificacionIntro => ("Compruebe la autenticidad de un justificante de Casia con su Código Electrónico de Autenticidad (CEA) o con el propio fichero PDF.", "Check a Casia receipt with its verification code (CEA) or with the PDF file itself."),
    CodigoCea => ("Código CEA", "CEA code"),
    Verificar => ("Verificar", "Verify"),
    VerificarFichero => ("O bien, seleccione el fichero del justificante", "Or choose the receipt file"),
    VerificarFicheroHint => ("El fichero no se guarda: solo se compara con el justificante emitido.", "The file is not kept: it is only compared with the issued receipt."),
    DocumentoAutentico => ("El documento es auténtico: es un justificante emitido por Casia.", "The document is authentic: it is a receipt issued by Casia."),
    FechaEmision => ("Fecha de emisión", "Issued on"),
    DocumentosAnexados => ("Documentos anexados", "Attached documents"),
    CeaDesconocido => ("No existe ningún justificante con ese código. Compruebe que lo ha escrito correctamente.", "No receipt has that code. Check that you typed it correctly."),
    FicheroAlterado => ("El fichero no coincide con el justificante emitido: ha sido modificado.", "The file does not match the issued receipt: it has been altered."),
    NoEsJustificante => ("El fichero no es un justificante emitido por Casia.", "The file is not a receipt issued by Casia."),

    // Processor workspace.
    Bandejas => ("Bandejas", "Queues"),
    QueueUnassigned => ("Sin asignar", "Unassigned"),
    QueueMine => ("Mis casos", "My cases"),
    QueueEscalated => ("Escalados", "Escalated"),
    QueueWaiting => ("Esperando al autorizado", "Waiting for the user"),
    QueueCancellations => ("Anulaciones pendientes", "Pending cancellations"),
    QueueAllOpen => ("Todos los abiertos", "All open"),
    Orden => ("Orden", "Order"),
    OrdenAntiguos => ("Más antiguos primero", "Oldest first"),
    OrdenRecientes => ("Más recientes primero", "Newest first"),
    Filtrar => ("Filtrar", "Filter"),
    Anterior => ("Anterior", "Previous"),
    Siguiente => ("Siguiente", "Next"),
    FiltroCuentas => ("Usuario o nombre", "Username or name"),
    FiltroAutorizaciones => ("Nº Autorización o Razón Social", "Authorisation no. or company name"),
    ListaRecortada => ("Este caso tiene muchos registros: se muestran los primeros documentos y los 500 mensajes y estados más recientes.", "This case has many records: the first documents and the latest 500 messages and states are shown."),
    SinCoincidencias => ("Nada coincide con el filtro.", "Nothing matches the filter."),
    BandejaVacia => ("No hay casos en esta bandeja.", "This queue is empty."),
    AsignadoA => ("Asignado a", "Assigned to"),
    PeriodoEnCurso => ("Periodo en curso", "Current period"),
    AnulacionSolicitada => ("Anulación solicitada", "Cancellation requested"),
    AnulacionPendienteTramitador => ("El autorizado ha solicitado la anulación: apruébela o recházela indicando los motivos.", "The user asked to cancel: approve it, or reject it with the reasons."),
    Acciones => ("Acciones", "Actions"),
    SinAcciones => ("No hay acciones disponibles para usted en el estado actual del caso.", "No actions are available to you in the case's current state."),
    MensajeAlUsuario => ("Mensaje para el autorizado", "Message to the user"),
    TextoResolucion => ("Resolución (visible para el autorizado)", "Resolution (shown to the user)"),
    MotivosRechazo => ("Motivos del rechazo", "Reasons for the rejection"),
    MotivoEscalado => ("Motivo del escalado", "Reason for escalating"),
    NotaInternaHint => ("Se guarda como nota interna: el autorizado no la ve.", "Kept as an internal note: the user does not see it."),
    Tramitador => ("Tramitador", "Processor"),
    Confirmar => ("Confirmar", "Confirm"),
    CasoActualizado => ("El caso ha cambiado mientras lo consultaba: ahora se muestra como está. Revíselo antes de volver a intentarlo.", "The case changed while you were looking at it: it is now shown as it is. Check it before trying again."),
    NotasInternas => ("Notas internas", "Internal notes"),
    NotasInternasHint => ("Solo las ven los tramitadores y supervisores; nunca se envían al autorizado.", "Only processors and supervisors see them; never sent to the user."),
    SinNotas => ("No hay notas.", "No notes."),
    NuevaNota => ("Nueva nota", "New note"),
    AnadirNota => ("Añadir nota", "Add note"),
    Dashboard => ("Panel de supervisión", "Supervisor dashboard"),
    CasosAbiertos => ("casos abiertos", "open cases"),
    AnulacionesPendientes => ("anulaciones pendientes", "pending cancellations"),
    Resueltos30Dias => ("resueltos en 30 días", "resolved in 30 days"),
    TiempoMedioResolucion => ("tiempo medio de resolución", "mean time to resolution"),
    ValoracionMedia => ("valoración media (90 días)", "mean rating (90 days)"),
    AbiertosPorSubestado => ("Casos abiertos por subestado", "Open cases by substate"),
    AntiguedadPendientes => ("Antigüedad de los casos abiertos", "Age of open cases"),
    DistribucionValoraciones => ("Valoraciones (90 días)", "Ratings (90 days)"),
    AltasPorDia => ("Altas por día (14 días)", "Cases opened per day (14 days)"),
    AppNoCargada => ("La aplicación no ha terminado de cargarse en su navegador, por eso los formularios siguen desactivados. Compruebe su conexión y recargue la página. Entrar, salir y cambiar de idioma funcionan igualmente.", "The application has not finished loading in your browser, so the forms are still disabled. Check your connection and reload the page. Signing in, signing out and changing the language work anyway."),

    // Administration.
    Taxonomia => ("Taxonomía", "Taxonomy"),
    TiposDocumento => ("Tipos de documento", "Document types"),
    Cuentas => ("Cuentas", "Accounts"),
    Autorizaciones => ("Autorizaciones", "Authorisations"),
    Inactivo => ("inactivo", "inactive"),
    EnUso => ("en uso", "in use"),
    EnUsoNoEliminar => ("Hay casos que lo usan: puede desactivarse, no eliminarse.", "Cases use it: it can be deactivated, not deleted."),
    AnadirMateria => ("Añadir materia", "Add subject"),
    AnadirCategoria => ("Añadir categoría", "Add category"),
    AnadirSubcategoria => ("Añadir subcategoría", "Add subcategory"),
    EligeNodo => ("Elija un elemento del árbol para modificarlo o añadirle elementos.", "Choose an item of the tree to edit it or add to it."),
    EditarNodo => ("Modificar", "Edit"),
    NombreEs => ("Nombre (español)", "Name (Spanish)"),
    NombreEn => ("Nombre (inglés)", "Name (English)"),
    AyudaEs => ("Ayuda (español)", "Help (Spanish)"),
    AyudaEn => ("Ayuda (inglés)", "Help (English)"),
    Tecnica => ("Incidencia de carácter técnico (muestra Ayuda Documentación)", "Technical incident (shows documentation help)"),
    Activar => ("Activar", "Activate"),
    Desactivar => ("Desactivar", "Deactivate"),
    Eliminar => ("Eliminar", "Delete"),
    Anadir => ("Añadir", "Add"),
    Activo => ("Activo", "Active"),
    AnadirTipoDocumento => ("Añadir tipo de documento", "Add document type"),
    Perfil => ("Perfil", "Role"),
    RestablecerContrasena => ("Nueva contraseña", "New password"),
    NuevaContrasena => ("Nueva contraseña", "New password"),
    CrearCuenta => ("Crear cuenta", "Create account"),
    CrearAutorizacion => ("Crear autorización", "Create authorisation"),
    AnadirMiembro => ("Añadir usuario", "Add user"),
    UsuarioNuevoMiembro => ("Nombre de usuario que se añade a la autorización", "Username to add to the authorisation"),
    HacerPrincipal => ("Hacer usuario principal", "Make main user"),

    // Administration: the audit log.
    RegistroAuditoria => ("Registro de auditoría", "Audit log"),
    AuditFechaHora => ("Fecha y hora", "Date and time"),
    AuditUsuario => ("Usuario", "User"),
    AuditRol => ("Rol", "Role"),
    AuditDireccion => ("Dirección", "Address"),
    AuditAccion => ("Acción", "Action"),
    AuditResultado => ("Resultado", "Outcome"),
    AuditObjeto => ("Objeto", "Object"),
    AuditDetalles => ("Detalles", "Details"),
    AuditFechaDesde => ("Fecha desde", "From"),
    AuditFechaHasta => ("Fecha hasta", "To"),
    AuditVacio => ("No hay eventos que cumplan los filtros.", "No events match the filters."),
    AuditMasAntiguos => ("Más antiguos", "Older"),
    AuditMasRecientes => ("Más recientes", "Newest"),
    ExportarCsv => ("Exportar CSV", "Export CSV"),
    Descargar => ("Descargar", "Download"),
    VistaPrevia => ("Vista previa", "Preview"),
    // Bulk actions in the queues.
    SeleccionarCaso => ("Seleccionar el caso", "Select the case"),
    SeleccionarPagina => ("Seleccionar todos los casos mostrados", "Select every case shown"),
    AccionSeleccionados => ("Acción sobre los casos seleccionados", "Action on the selected cases"),
    CasosSeleccionados => ("Casos seleccionados", "Selected cases"),
    Aplicar => ("Aplicar", "Apply"),
    ResultadoAccionMasiva => ("Resultado por caso", "Result per case"),
    Realizado => ("Realizado", "Done"),
    NoRealizado => ("No realizado", "Not done"),
    SeleccioneCasos => ("Seleccione al menos un caso.", "Select at least one case."),
    CerrarVistaPrevia => ("Cerrar vista previa", "Close preview"),

    // Buzón and contact data.
    BuzonVacio => ("No tiene avisos.", "You have no notices."),
    MarcarLeido => ("Marcar como leído", "Mark as read"),
    MarcarTodosLeidos => ("Marcar todos como leídos", "Mark all as read"),
    CorreoElectronico => ("Correo electrónico", "Email"),
    ConsentimientoAvisos => ("Consentimiento para recibir avisos", "Consent to receive notices"),
    ConsentimientoAvisosTexto => ("Doy mi consentimiento para recibir avisos y comunicaciones por correo electrónico", "I consent to receive notices and messages by email"),
    ContrasenaConfirmar => ("Contraseña (necesaria para cambiar la dirección)", "Password (needed to change the address)"),
    UltimaModificacion => ("Última modificación", "Last changed"),
    DatosGuardados => ("Los cambios se han guardado.", "The changes were saved."),
    SoloUsuarioPrincipal => ("Solo el usuario principal de la autorización puede modificar los datos de contacto.", "Only the authorisation's main user can change the contact data."),

    // Second factor: the enrolment page (/cuenta/segundo-factor) and the login's second step.
    SegundoFactor => ("Verificación en dos pasos", "Two-step verification"),
    SegundoFactorIntro => ("Además de la contraseña, al acceder se le pedirá un código de seis cifras que genera una aplicación de autenticación de su teléfono (por ejemplo, FreeOTP, Google Authenticator o Microsoft Authenticator).", "Besides your password, signing in will ask for a six-digit code made by an authenticator app on your phone (for example FreeOTP, Google Authenticator or Microsoft Authenticator)."),
    SegundoFactorActivo => ("La verificación en dos pasos está activada desde el", "Two-step verification has been on since"),
    SegundoFactorInactivo => ("La verificación en dos pasos no está activada.", "Two-step verification is off."),
    SegundoFactorObligatorio => ("Su perfil debe usar la verificación en dos pasos: actívela para continuar.", "Your role must use two-step verification: turn it on to continue."),
    ActivarSegundoFactor => ("Activar la verificación en dos pasos", "Turn on two-step verification"),
    EscaneeQr => ("1. Escanee este código QR con la aplicación de autenticación.", "1. Scan this QR code with your authenticator app."),
    CodigoQrAlt => ("Código QR para la aplicación de autenticación", "QR code for the authenticator app"),
    ClaveManual => ("Si no puede escanearlo, introduzca esta clave a mano (tipo: basada en el tiempo):", "If you cannot scan it, type this key (type: time-based):"),
    IntroduzcaCodigo => ("2. Introduzca el código de seis cifras que muestra la aplicación.", "2. Enter the six-digit code the app shows."),
    CodigoVerificacion => ("Código de verificación", "Verification code"),
    CodigoORecuperacion => ("Código de la aplicación o código de recuperación", "App code or recovery code"),
    ConfirmarActivacion => ("Confirmar y activar", "Confirm and turn on"),
    SegundoFactorActivado => ("La verificación en dos pasos se ha activado.", "Two-step verification is now on."),
    CodigosRecuperacion => ("Códigos de recuperación", "Recovery codes"),
    CodigosRecuperacionGuardelos => ("Guárdelos en un lugar seguro: es la única vez que se muestran. Cada código sirve una sola vez para acceder si pierde el teléfono.", "Keep them somewhere safe: this is the only time they are shown. Each code works once, to sign in if you lose your phone."),
    CodigosRecuperacionRestantes => ("Códigos de recuperación sin usar:", "Unused recovery codes:"),
    RenovarCodigos => ("Generar nuevos códigos de recuperación", "Generate new recovery codes"),
    RenovarCodigosExplica => ("Los códigos anteriores dejarán de servir. Introduzca un código actual de la aplicación.", "The previous codes will stop working. Enter a current code from the app."),
    DesactivarSegundoFactor => ("Desactivar la verificación en dos pasos", "Turn off two-step verification"),
    DesactivarSegundoFactorExplica => ("Para desactivarla, confirme su contraseña y un código de la aplicación o de recuperación.", "To turn it off, confirm your password and a code from the app or a recovery code."),
    SegundoFactorDesactivado => ("La verificación en dos pasos se ha desactivado.", "Two-step verification was turned off."),
    SegundoPasoIntro => ("Introduzca el código de seis cifras de su aplicación de autenticación o, si no tiene el teléfono, uno de sus códigos de recuperación.", "Enter the six-digit code from your authenticator app or, without your phone, one of your recovery codes."),
    Continuar => ("Continuar", "Continue"),
    ErrSecondFactorRequired => ("Debe activar la verificación en dos pasos para continuar.", "You must turn on two-step verification to continue."),
    ErrSecondFactorPending => ("Introduzca el código de la verificación en dos pasos para continuar.", "Enter your two-step verification code to continue."),
    // Mi cuenta: own password and sessions.
    MiCuenta => ("Mi cuenta", "My account"),
    CambiarContrasena => ("Cambiar contraseña", "Change password"),
    ContrasenaActual => ("Contraseña actual", "Current password"),
    RepetirContrasena => ("Repita la nueva contraseña", "Repeat the new password"),
    PoliticaContrasena => ("Entre 12 y 128 caracteres. Una frase de varias palabras es fácil de recordar y difícil de adivinar; no use su nombre de usuario ni contraseñas comunes.", "Between 12 and 128 characters. A phrase of several words is easy to remember and hard to guess; do not use your username or common passwords."),
    ContrasenaCambiada => ("La contraseña se ha cambiado. Se han cerrado todas sus demás sesiones; esta sigue abierta.", "Your password was changed. All your other sessions were ended; this one stays open."),
    CambioContrasenaObligatorio => ("Un administrador ha restablecido su contraseña. Elija una nueva para continuar.", "An administrator reset your password. Choose a new one to continue."),
    SesionesActivas => ("Sesiones activas", "Active sessions"),
    Dispositivo => ("Dispositivo", "Device"),
    DireccionCliente => ("Dirección", "Address"),
    Iniciada => ("Iniciada", "Started"),
    UltimoUso => ("Último uso", "Last used"),
    EstaSesion => ("Esta sesión", "This session"),
    CerrarEstaSesion => ("Cerrar esta sesión", "End this session"),
    CerrarTodasLasDemas => ("Cerrar todas las demás", "End all others"),
    SesionCerrada => ("La sesión se ha cerrado.", "The session was ended."),
    OtrasSesionesCerradas => ("Se han cerrado todas sus demás sesiones.", "All your other sessions were ended."),
    SinOtrasSesiones => ("No tiene otras sesiones abiertas.", "You have no other open sessions."),
    DispositivoDesconocido => ("Desconocido", "Unknown"),

    // Plazos (deadlines in business days).
    FechaLimiteResolucion => ("Fecha límite de resolución", "Resolution deadline"),
    FechaLimiteAportar => ("Fecha límite para aportar la información", "Deadline to provide the information"),
    PlazoSuspendido => ("Plazo suspendido", "Deadline suspended"),
    PlazoReanudado => ("Plazo reanudado", "Deadline resumed"),
    NotaPlazoAmpliado => ("Plazo para aportar la información ampliado", "Deadline to provide the information extended"),
    EnPlazo => ("En plazo", "On time"),
    ProximoAVencer => ("Próximo a vencer", "Due soon"),
    Vencido => ("Vencido", "Overdue"),
    QueueAnswerExpired => ("Plazo de subsanación vencido", "Answer deadline passed"),
    DiasSuspendidos => ("Días hábiles suspendido", "Business days suspended"),
    DiasRestantes => ("Días hábiles restantes", "Business days left"),
    Plazos => ("Plazos", "Deadlines"),
    PlazoColumna => ("Plazo", "Deadline"),
    OrdenPlazo => ("Por fecha límite", "By deadline"),
    TextoDesistimiento => ("Se le tiene por desistido de su petición y se archiva el caso, al no haber aportado en el plazo concedido la información o documentación requerida (artículo 68.1 de la Ley 39/2015, de 1 de octubre, del Procedimiento Administrativo Común de las Administraciones Públicas).", "Your request is deemed withdrawn and the case is closed, as the information or documents requested were not provided within the time given (article 68.1 of Spanish Law 39/2015 of 1 October on the Common Administrative Procedure)."),
    DiasAmpliacion => ("Días hábiles de ampliación", "Business days granted"),
    Festivos => ("Festivos", "Holidays"),
    Calendario => ("Calendario", "Calendar"),
    CalendarioNacional => ("Nacional", "National"),
    CalendarioRegional => ("Calendario regional", "Regional calendar"),
    SinCalendarioRegional => ("Solo el nacional", "National only"),
    Anio => ("Año", "Year"),
    Fecha => ("Fecha", "Date"),
    Denominacion => ("Denominación", "Name"),
    AnadirFestivo => ("Añadir festivo", "Add holiday"),
    QuitarFestivo => ("Quitar", "Remove"),
    ObjetivosResolucion => ("Objetivos de resolución (días hábiles)", "Resolution targets (business days)"),
    ObjetivoTipo => ("Objetivo del tipo de caso", "Case type target"),
    ExcepcionClasificacion => ("Excepción por materia, categoría o subcategoría", "Override per subject, category or subcategory"),
    DiasHabiles => ("Días hábiles", "Business days"),
    AplicarAbiertos => ("Aplicar también a los casos abiertos", "Also apply to open cases"),
    AvisoAplicarAbiertos => ("Si no marca esta casilla, los casos ya abiertos conservan su fecha límite y el cambio solo vale para los casos nuevos (y, en los festivos, para los plazos que se calculen a partir de ahora). Si la marca, se recalcula la fecha límite de resolución de los casos abiertos afectados.", "Unless you tick this box, cases already open keep their deadline and the change applies to new cases only (and, for holidays, to deadlines computed from now on). If you tick it, the resolution deadline of the open cases concerned is recomputed."),
    CasosRecalculados => ("Casos abiertos recalculados", "Open cases recomputed"),
    TasaEnPlazo => ("Resueltos en plazo por mes (%)", "Resolved on time by month (%)"),
    EnRiesgo => ("Casos en riesgo ahora", "Cases at risk now"),
    MedianaDiasResolver => ("Mediana de días hábiles hasta resolver", "Median business days to resolve"),
    Mes => ("Mes", "Month"),
    Resueltos => ("Resueltos", "Resolved"),
    PorcentajeEnPlazo => ("En plazo (%)", "On time (%)"),

    // Generic errors.
    ErrNotSignedIn => ("Debe identificarse para continuar.", "Please sign in to continue."),
    ErrForbidden => ("No tiene permiso para realizar esta acción.", "You are not allowed to do this."),
    ErrNotFound => ("No se ha encontrado lo que busca o no pertenece a su autorización.", "Not found, or it does not belong to your authorisation."),
    ErrConflict => ("El caso ha cambiado mientras lo consultaba. Recargue la página y vuelva a intentarlo.", "The case changed while you were looking at it. Reload the page and try again."),
    ErrInternal => ("Se ha producido un error en el servicio. Inténtelo de nuevo en unos minutos; no se ha perdido ningún dato.", "The service had a problem. Try again in a few minutes; nothing was lost."),
    // Under a service error: the request's id, to quote to the help desk (it is in the logs).
    ErrReference => ("Referencia de la incidencia:", "Incident reference:"),
    ErrNetwork => ("No se ha podido contactar con el servicio. Compruebe su conexión y vuelva a intentarlo.", "Could not reach the service. Check your connection and try again."),
    ErrBadCredentials => ("Usuario o contraseña incorrectos.", "Wrong username or password."),
    ErrPickAuthorisation => ("Seleccione primero la autorización desde la que desea gestionar.", "First choose the authorisation you want to work for."),
    ErrValidation => ("Revise los campos marcados.", "Please check the highlighted fields."),
    ErrPasswordChangeRequired => ("Debe cambiar su contraseña antes de continuar (Mi cuenta).", "You must change your password before continuing (My account)."),
    ErrBusy => ("El servicio está atendiendo muchas identificaciones a la vez. Inténtelo de nuevo en unos segundos.", "The service is handling many sign-ins at once. Try again in a few seconds."),
}

impl Msg {
    pub fn t(self, lang: Lang) -> String {
        self.text(lang).to_owned()
    }
}

/// A number with `places` decimals as the language writes it: `0,1` in Spanish, `0.1` in
/// English.
pub fn decimal(value: f64, places: usize, lang: Lang) -> String {
    let text = format!("{value:.places$}");
    match lang {
        Lang::Es => text.replace('.', ","),
        Lang::En => text,
    }
}

pub fn role_name(role: Role, lang: Lang) -> &'static str {
    match (role, lang) {
        (Role::Autorizado, Lang::Es) => "Autorizado",
        (Role::Autorizado, Lang::En) => "Authorised user",
        (Role::Tramitador, Lang::Es) => "Tramitador",
        (Role::Tramitador, Lang::En) => "Processor",
        (Role::Supervisor, Lang::Es) => "Supervisor",
        (Role::Supervisor, Lang::En) => "Supervisor",
        (Role::Administrador, Lang::Es) => "Administrador",
        (Role::Administrador, Lang::En) => "Administrator",
    }
}

pub fn case_type_name(t: CaseType, lang: Lang) -> &'static str {
    match (t, lang) {
        (CaseType::Consulta, Lang::Es) => "Consulta",
        (CaseType::Consulta, Lang::En) => "Query",
        (CaseType::Incidencia, Lang::Es) => "Error/Incidencia",
        (CaseType::Incidencia, Lang::En) => "Error/Incident",
        (CaseType::Tramite, Lang::Es) => "Trámite",
        (CaseType::Tramite, Lang::En) => "Procedure",
    }
}

pub fn state_name(s: State, lang: Lang) -> &'static str {
    match (s, lang) {
        (State::Abierto, Lang::Es) => "Abierto",
        (State::Abierto, Lang::En) => "Open",
        (State::Cerrado, Lang::Es) => "Cerrado",
        (State::Cerrado, Lang::En) => "Closed",
    }
}

pub fn substate_name(s: Substate, lang: Lang) -> &'static str {
    match (s, lang) {
        (Substate::Presentado, Lang::Es) => "Presentado",
        (Substate::Presentado, Lang::En) => "Submitted",
        (Substate::Asignado, Lang::Es) => "Asignado",
        (Substate::Asignado, Lang::En) => "Assigned",
        (Substate::Escalado, Lang::Es) => "Escalado",
        (Substate::Escalado, Lang::En) => "Escalated",
        (Substate::SolicitadaInformacion, Lang::Es) => "Solicitada Información",
        (Substate::SolicitadaInformacion, Lang::En) => "Information requested",
        (Substate::SolicitadaReclasificacion, Lang::Es) => "Solicitada Reclasificación",
        (Substate::SolicitadaReclasificacion, Lang::En) => "Reclassification requested",
        (Substate::Resuelto, Lang::Es) => "Resuelto",
        (Substate::Resuelto, Lang::En) => "Resolved",
        (Substate::Anulado, Lang::Es) => "Anulado",
        (Substate::Anulado, Lang::En) => "Cancelled",
    }
}

pub fn channel_name(c: Channel, lang: Lang) -> &'static str {
    match (c, lang) {
        (Channel::Web, _) => "Web",
        (Channel::Telefono, Lang::Es) => "Teléfono",
        (Channel::Telefono, Lang::En) => "Telephone",
        (Channel::Correo, Lang::Es) => "Correo electrónico",
        (Channel::Correo, Lang::En) => "Email",
        (Channel::Presencial, Lang::Es) => "Presencial",
        (Channel::Presencial, Lang::En) => "In person",
    }
}

pub fn action_name(a: Action, lang: Lang) -> &'static str {
    let (es, en) = match a {
        Action::ModifyInformation => ("Modificar Información", "Modify Information"),
        Action::Reclassify => ("Reclasificar", "Reclassify"),
        Action::RequestCancellation => ("Solicitar Anulación", "Request Cancellation"),
        Action::Rate => ("Valoración", "Rating"),
        Action::Take => ("Asignarme el caso", "Take the case"),
        Action::Assign => ("Asignar a un tramitador", "Assign to a processor"),
        Action::Escalate => ("Escalar", "Escalate"),
        Action::RequestInformation => ("Solicitar información", "Request information"),
        Action::RequestReclassification => {
            ("Solicitar reclasificación", "Request reclassification")
        }
        Action::Resolve => ("Resolver", "Resolve"),
        Action::ApproveCancellation => ("Aprobar anulación", "Approve cancellation"),
        Action::RejectCancellation => ("Rechazar anulación", "Reject cancellation"),
        Action::AddInternalNote => ("Nota interna", "Internal note"),
        Action::CloseForWithdrawal => ("Cerrar por desistimiento", "Close as withdrawn"),
        Action::GrantMoreTime => ("Ampliar plazo", "Grant more time"),
    };
    if lang == Lang::Es { es } else { en }
}

/// What a processor's action did, for the banner after it (not the button's label again).
pub fn action_done(a: Action, lang: Lang) -> &'static str {
    let (es, en) = match a {
        Action::Take => (
            "El caso se le ha asignado.",
            "The case is now assigned to you.",
        ),
        Action::Assign => (
            "El caso se ha asignado al tramitador elegido.",
            "The case has been assigned to the chosen processor.",
        ),
        Action::Escalate => ("El caso se ha escalado.", "The case has been escalated."),
        Action::RequestInformation => (
            "Se ha pedido la información al usuario; el caso espera su respuesta.",
            "The user has been asked for information; the case waits for the answer.",
        ),
        Action::RequestReclassification => (
            "Se ha pedido al usuario que reclasifique el caso.",
            "The user has been asked to reclassify the case.",
        ),
        Action::Resolve => (
            "El caso se ha resuelto y el usuario ha sido avisado.",
            "The case has been resolved and the user notified.",
        ),
        Action::ApproveCancellation => (
            "Anulación aprobada: el caso está anulado.",
            "Cancellation approved: the case is cancelled.",
        ),
        Action::RejectCancellation => (
            "Anulación rechazada: el caso sigue abierto.",
            "Cancellation rejected: the case stays open.",
        ),
        Action::AddInternalNote => (
            "La nota interna se ha guardado.",
            "The internal note has been saved.",
        ),
        Action::CloseForWithdrawal => (
            "El caso se ha cerrado por desistimiento.",
            "The case has been closed as withdrawn.",
        ),
        Action::GrantMoreTime => (
            "Se ha ampliado el plazo del usuario.",
            "The user has been given more time.",
        ),
        Action::ModifyInformation
        | Action::Reclassify
        | Action::RequestCancellation
        | Action::Rate => ("Hecho.", "Done."),
    };
    if lang == Lang::Es { es } else { en }
}

/// The label of an audit action code (the code itself when it has none, e.g. a code newer
/// than this table).
pub fn audit_action_name(code: &str, lang: Lang) -> String {
    let (es, en) = match code {
        "auth.login" => ("Inicio de sesión", "Signed in"),
        "auth.login_failed" => ("Inicio de sesión fallido", "Failed sign-in"),
        "auth.login_throttled" => ("Inicio de sesión frenado por intentos", "Sign-in throttled"),
        "auth.logout" => ("Cierre de sesión", "Signed out"),
        "mfa.enrolled" => ("Segundo factor activado", "Second factor enrolled"),
        "mfa.disabled" => ("Segundo factor desactivado", "Second factor disabled"),
        "mfa.verified" => ("Segundo factor verificado", "Second factor verified"),
        "mfa.failed" => (
            "Código de segundo factor incorrecto",
            "Wrong second-factor code",
        ),
        "mfa.throttled" => (
            "Segundo factor frenado por intentos",
            "Second factor throttled",
        ),
        "mfa.recovery_code_used" => ("Código de recuperación usado", "Recovery code used"),
        "mfa.recovery_codes_renewed" => (
            "Códigos de recuperación renovados",
            "Recovery codes renewed",
        ),
        "password.changed" => ("Contraseña cambiada", "Password changed"),
        "password.change_failed" => ("Cambio de contraseña fallido", "Password change failed"),
        "password.reset" => ("Contraseña restablecida", "Password reset"),
        "session.ended" => ("Sesión cerrada", "Session ended"),
        "session.others_ended" => ("Otras sesiones cerradas", "Other sessions ended"),
        "token.created" => ("Token creado", "Token created"),
        "token.revoked" => ("Token revocado", "Token revoked"),
        "token.refused" => ("Token rechazado", "Token refused"),
        "access.forbidden" => ("Acceso no permitido (403)", "Access forbidden (403)"),
        "access.not_found" => (
            "Objeto no encontrado o ajeno (404)",
            "Not found or not theirs (404)",
        ),
        "access.contact_password_failed" => (
            "Contraseña incorrecta al cambiar el contacto",
            "Wrong password changing the contact",
        ),
        "admin.account_created" => ("Cuenta creada", "Account created"),
        "admin.account_active" => (
            "Cuenta activada/desactivada",
            "Account activated/deactivated",
        ),
        "admin.password_reset" => ("Nueva contraseña de una cuenta", "Account password reset"),
        "admin.authorisation_created" => ("Autorización creada", "Authorisation created"),
        "admin.authorisation_active" => (
            "Autorización activada/desactivada",
            "Authorisation activated/deactivated",
        ),
        "admin.member_added" => ("Usuario añadido a una autorización", "Member added"),
        "admin.member_removed" => ("Usuario quitado de una autorización", "Member removed"),
        "admin.main_user" => ("Usuario principal cambiado", "Main user changed"),
        "admin.taxonomy" => ("Cambio en la clasificación", "Taxonomy changed"),
        "admin.document_type" => ("Cambio en los tipos de documento", "Document type changed"),
        "admin.setting" => ("Cambio de configuración", "Setting changed"),
        "admin.plazos" => (
            "Cambio en los plazos (festivos u objetivos)",
            "Deadlines changed (holidays or targets)",
        ),
        "contact.changed" => ("Datos de contacto modificados", "Contact data changed"),
        "case.action" => ("Actuación sobre un caso", "Case action"),
        "case.note" => ("Nota interna", "Internal note"),
        other => return other.to_owned(),
    };
    if lang == Lang::Es { es } else { en }.to_owned()
}

pub fn audit_outcome_name(code: &str, lang: Lang) -> String {
    let (es, en) = match code {
        "success" => ("Correcto", "Success"),
        "failure" => ("Fallido", "Failure"),
        "refused" => ("Rechazado", "Refused"),
        other => return other.to_owned(),
    };
    if lang == Lang::Es { es } else { en }.to_owned()
}

pub fn refusal_text(r: Refusal, lang: Lang) -> &'static str {
    let (es, en) = match r {
        Refusal::RoleNotAllowed => (
            "Su perfil no permite realizar esta acción.",
            "Your role does not allow this action.",
        ),
        Refusal::CaseClosed => (
            "El caso está cerrado: no es posible modificarlo ni solicitar su anulación.",
            "The case is closed: it can no longer be modified or cancelled.",
        ),
        Refusal::CaseNotClosed => (
            "Solo se puede valorar un caso cerrado.",
            "Only a closed case can be rated.",
        ),
        Refusal::AlreadyRated => (
            "Este caso ya ha sido valorado.",
            "This case has already been rated.",
        ),
        Refusal::CancellationAlreadyPending => (
            "Ya hay una solicitud de anulación pendiente de decisión.",
            "A cancellation request is already waiting for a decision.",
        ),
        Refusal::NoCancellationPending => (
            "El caso no tiene ninguna solicitud de anulación pendiente.",
            "The case has no pending cancellation request.",
        ),
        Refusal::CancellationPendingFirst => (
            "Hay una solicitud de anulación pendiente: apruébela o recházela primero.",
            "There is a pending cancellation request: approve or reject it first.",
        ),
        Refusal::WrongSubstate => (
            "Esta acción no es posible en el subestado actual del caso.",
            "This action is not possible in the case's current substate.",
        ),
        Refusal::NotYourCase => (
            "El caso está asignado a otro tramitador.",
            "The case is assigned to another processor.",
        ),
        Refusal::SupervisorOnly => (
            "Solo un supervisor puede realizar esta acción.",
            "Only a supervisor can do this.",
        ),
        Refusal::AlreadyAssigned => (
            "El caso ya está asignado a esa persona.",
            "The case is already assigned to that person.",
        ),
        Refusal::AnswerNotOverdue => (
            "El plazo para aportar la información aún no ha vencido.",
            "The deadline to provide the information has not passed yet.",
        ),
    };
    if lang == Lang::Es { es } else { en }
}

pub fn range_problem_text(p: RangeProblem, lang: Lang) -> &'static str {
    let (es, en) = match p {
        RangeProblem::FromMissing => ("Indique la Fecha de Alta Desde.", "Enter the From date."),
        RangeProblem::FromInvalid => (
            "La Fecha de Alta Desde no es una fecha válida.",
            "The From date is not a valid date.",
        ),
        RangeProblem::ToMissing => ("Indique la Fecha de Alta Hasta.", "Enter the To date."),
        RangeProblem::ToInvalid => (
            "La Fecha de Alta Hasta no es una fecha válida.",
            "The To date is not a valid date.",
        ),
        RangeProblem::FromAfterTo => (
            "La Fecha de Alta Desde no puede ser posterior a la Fecha de Alta Hasta.",
            "The From date cannot be after the To date.",
        ),
        RangeProblem::DifferentMonths => (
            "Las fechas Desde y Hasta deben estar comprendidas dentro de un mes natural.",
            "The From and To dates must fall within one calendar month.",
        ),
    };
    if lang == Lang::Es { es } else { en }
}

pub fn field_problem_text(p: &FieldProblem, lang: Lang) -> String {
    let es = lang == Lang::Es;
    match p {
        FieldProblem::Required => if es { "Este campo es obligatorio." } else { "This field is required." }.into(),
        FieldProblem::TooLong { max } => {
            if es { format!("Máximo {max} caracteres.") } else { format!("At most {max} characters.") }
        }
        FieldProblem::TooShort { min } => {
            if es { format!("Mínimo {min} caracteres.") } else { format!("At least {min} characters.") }
        }
        FieldProblem::InUse => {
            if es { "Está en uso: puede desactivarse, pero no eliminarse." } else { "It is in use: it can be deactivated but not removed." }.into()
        }
        FieldProblem::WrongPassword => {
            if es { "La contraseña no es correcta." } else { "The password is not correct." }.into()
        }
        FieldProblem::AlreadyExists => {
            if es { "Ya existe un registro con este valor." } else { "This value is already in use." }.into()
        }
        FieldProblem::InvalidChoice => {
            if es { "Seleccione una opción de la lista." } else { "Choose an option from the list." }.into()
        }
        FieldProblem::InvalidEmail => {
            if es { "Introduzca una dirección de correo electrónico válida, por ejemplo nombre@dominio.es." } else { "Enter a valid email address, for example name@domain.es." }.into()
        }
        FieldProblem::NothingToSearch => {
            if es { "Escriba alguna palabra más concreta: las muy frecuentes (de, la, que…) no se buscan." } else { "Type a more specific word: very common ones (de, la, que…) are not searched." }.into()
        }
        FieldProblem::InvalidCaseNumber => {
            if es { "Introduzca un número de caso válido, por ejemplo 2026-0000123." } else { "Enter a valid case number, for example 2026-0000123." }.into()
        }
        FieldProblem::DateRange(r) => range_problem_text(*r, lang).into(),
        FieldProblem::OutOfRange { min, max } => {
            if es { format!("Indique un valor entre {min} y {max}.") } else { format!("Enter a value between {min} and {max}.") }
        }
        FieldProblem::TooManyDocuments { max } => {
            if es { format!("Puede anexar como máximo {max} documentos cada vez.") } else { format!("You can attach at most {max} documents at a time.") }
        }
        FieldProblem::SubstateNotInState => {
            if es { "El subestado no corresponde al estado seleccionado." } else { "The substate does not belong to the chosen state." }.into()
        }
        FieldProblem::WrongCode => {
            if es { "El código no es correcto, ha caducado o ya se ha utilizado." } else { "The code is wrong, has expired or was already used." }.into()
        }
        FieldProblem::NothingToAdd => {
            if es { "Indique información adicional o anexe algún documento." } else { "Add some information or attach a document." }.into()
        }
        FieldProblem::ClassificationUnchanged => {
            if es { "La clasificación es la misma que la actual: elija la Materia, Categoría o Subcategoría que corresponda al caso." } else { "This is the case's current classification: choose the Subject, Category or Subcategory that fits the case." }.into()
        }
        FieldProblem::WeakPassword => {
            if es { "Esta contraseña es demasiado común o fácil de adivinar. Pruebe con una frase de varias palabras." } else { "This password is too common or easy to guess. Try a phrase of several words." }.into()
        }
        FieldProblem::PasswordContainsUsername => {
            if es { "La contraseña no puede contener el nombre de usuario." } else { "The password must not contain the username." }.into()
        }
        FieldProblem::PasswordMismatch => {
            if es { "Las contraseñas no coinciden." } else { "The passwords do not match." }.into()
        }
        FieldProblem::InvalidAuthorisationNumber => {
            if es { "El Nº Autorización solo lleva cifras, por ejemplo 0123456." } else { "The authorisation number is digits only, for example 0123456." }.into()
        }
        FieldProblem::UnknownUsername => {
            if es { "No existe ninguna cuenta con este nombre de usuario." } else { "There is no account with this username." }.into()
        }
        FieldProblem::OwnAccount => {
            if es { "No puede desactivar su propia cuenta: pida a otro administrador que lo haga." } else { "You cannot deactivate your own account: ask another administrator to do it." }.into()
        }
        FieldProblem::InvalidUrl => {
            if es { "Indique una dirección https:// completa." } else { "Give a complete https:// address." }.into()
        }
        FieldProblem::PrivateAddress => {
            if es { "La dirección lleva a una red privada o local; no se admite." } else { "The address leads to a private or local network; it is not allowed." }.into()
        }
        FieldProblem::NotAMember => {
            if es { "El usuario no pertenece a esta autorización, o una de las dos está desactivada." } else { "The user is not a member of this authorisation, or one of them is inactive." }.into()
        }
    }
}

pub fn notice_kind_name(k: NoticeKind, lang: Lang) -> &'static str {
    let (es, en) = match k {
        NoticeKind::CaseOpened => ("Alta de caso", "Case opened"),
        NoticeKind::InformationRequested => ("Solicitud de información", "Information requested"),
        NoticeKind::ReclassificationRequested => {
            ("Solicitud de reclasificación", "Reclassification requested")
        }
        NoticeKind::CancelledAutomatically => ("Caso anulado", "Case cancelled"),
        NoticeKind::CancellationApproved => ("Anulación aprobada", "Cancellation approved"),
        NoticeKind::CancellationRejected => ("Anulación rechazada", "Cancellation rejected"),
        NoticeKind::Resolved => ("Caso resuelto", "Case resolved"),
        NoticeKind::AnswerReminder => ("Recordatorio de plazo", "Deadline reminder"),
    };
    if lang == Lang::Es { es } else { en }
}

/// The subject of a notice, in the inbox and in the email: the case number and the event.
pub fn notice_subject(kind: NoticeKind, lang: Lang, case_number: &str) -> String {
    match lang {
        Lang::Es => format!("Caso {case_number}: {}", notice_kind_name(kind, lang)),
        Lang::En => format!("Case {case_number}: {}", notice_kind_name(kind, lang)),
    }
}

/// What a notice tells the authorised user, in parts that the email and the inbox lay out
/// their own way. Never carries anything internal: only the case's number and title and the
/// text the processor addressed to the user (which the caller adds under `message_label`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoticeText {
    /// What happened, naming the case.
    pub summary: String,
    /// The heading of the processor's text (message, reasons of a rejection, resolution).
    pub message_label: &'static str,
    /// What the user has to do now (guide §4.2.1: answers go through the service, not email).
    pub next_step: &'static str,
}

pub fn notice_text(
    kind: NoticeKind,
    lang: Lang,
    case_number: &str,
    case_title: &str,
) -> NoticeText {
    let n = case_number;
    let t = case_title;
    let es = lang == Lang::Es;
    let (summary, message_label, next_step) = match kind {
        // Guide §4.1.2: the mail tells the number assigned to the case.
        NoticeKind::CaseOpened => (
            if es {
                format!("Se ha dado de alta su caso «{t}». El número de caso asignado es {n}.")
            } else {
                format!("Your case “{t}” has been opened. The case number assigned to it is {n}.")
            },
            if es { "Observaciones:" } else { "Notes:" },
            if es {
                "Conserve este número: con él puede consultar el caso en Gestión de Casos, aportar información o documentación y seguir su tramitación."
            } else {
                "Keep this number: with it you can look the case up in Case Management, add information or documents and follow its progress."
            },
        ),
        NoticeKind::InformationRequested => (
            if es {
                format!(
                    "El tramitador ha solicitado información o documentación adicional para el caso {n} «{t}» (subestado Solicitada Información)."
                )
            } else {
                format!(
                    "The processor has asked for further information or documents for case {n} “{t}” (substate Information requested)."
                )
            },
            if es {
                "Información solicitada:"
            } else {
                "Information requested:"
            },
            if es {
                "Aporte la información o documentación a través del servicio (Gestión de Casos → Modificar Información), no por correo electrónico."
            } else {
                "Please provide the information or documents through the service (Case Management → Modify Information), not by email."
            },
        ),
        NoticeKind::ReclassificationRequested => (
            if es {
                format!(
                    "El tramitador ha solicitado que modifique la clasificación (tipo de caso, materia, categoría o subcategoría) del caso {n} «{t}», porque no coincide con el contenido de la solicitud (subestado Solicitada Reclasificación)."
                )
            } else {
                format!(
                    "The processor has asked you to change the classification (case type, subject, category or subcategory) of case {n} “{t}”, because it does not match what the request is about (substate Reclassification requested)."
                )
            },
            if es {
                "Indicaciones del tramitador:"
            } else {
                "The processor's remarks:"
            },
            if es {
                "Modifique la clasificación a través del servicio (Gestión de Casos → Modificar Información), no por correo electrónico."
            } else {
                "Please change the classification through the service (Case Management → Modify Information), not by email."
            },
        ),
        NoticeKind::CancelledAutomatically => (
            if es {
                format!(
                    "Su caso {n} «{t}» ha sido anulado a petición suya (estado Cerrado/Anulado). Aún no había sido atendido por ningún tramitador, por lo que la anulación ha sido automática."
                )
            } else {
                format!(
                    "Your case {n} “{t}” has been cancelled at your request (Closed/Cancelled). No processor had taken it yet, so it was cancelled at once."
                )
            },
            if es { "Observaciones:" } else { "Notes:" },
            if es {
                "No tiene que hacer nada más."
            } else {
                "There is nothing more you need to do."
            },
        ),
        NoticeKind::CancellationApproved => (
            if es {
                format!(
                    "Se ha aprobado su solicitud de anulación del caso {n} «{t}». El caso ha quedado anulado (estado Cerrado/Anulado)."
                )
            } else {
                format!(
                    "Your request to cancel case {n} “{t}” has been approved. The case is cancelled (Closed/Cancelled)."
                )
            },
            if es { "Observaciones:" } else { "Notes:" },
            if es {
                "No tiene que hacer nada más."
            } else {
                "There is nothing more you need to do."
            },
        ),
        NoticeKind::CancellationRejected => (
            if es {
                format!(
                    "Se ha rechazado su solicitud de anulación del caso {n} «{t}». El caso seguirá siendo tramitado (estado Abierto/Asignado)."
                )
            } else {
                format!(
                    "Your request to cancel case {n} “{t}” has been rejected. The case will go on being processed (Open/Assigned)."
                )
            },
            if es {
                "Motivos del rechazo:"
            } else {
                "Reasons for the rejection:"
            },
            if es {
                "Puede consultar el caso y su histórico en Gestión de Casos."
            } else {
                "You can look up the case and its history in Case Management."
            },
        ),
        NoticeKind::Resolved => (
            if es {
                format!("Su caso {n} «{t}» ha sido resuelto (estado Cerrado/Resuelto).")
            } else {
                format!("Your case {n} “{t}” has been resolved (Closed/Resolved).")
            },
            if es { "Resolución:" } else { "Resolution:" },
            if es {
                "Puede consultar la respuesta en el histórico del caso (Gestión de Casos → Consulta Histórico) y valorar la atención recibida."
            } else {
                "You can read the answer in the case history (Case Management → History) and rate the service you received."
            },
        ),
        NoticeKind::AnswerReminder => (
            if es {
                format!(
                    "Le recordamos que el plazo para aportar la información solicitada en el caso {n} «{t}» vence en dos días hábiles. Si no la aporta, se le podrá tener por desistido de su petición (artículo 68.1 de la Ley 39/2015)."
                )
            } else {
                format!(
                    "This is a reminder that the deadline to provide the information requested for case {n} “{t}” ends in two business days. If it is not provided, your request may be deemed withdrawn (article 68.1 of Law 39/2015)."
                )
            },
            if es { "Observaciones:" } else { "Notes:" },
            if es {
                "Aporte la información o documentación a través del servicio (Gestión de Casos → Modificar Información)."
            } else {
                "Please provide the information or documents through the service (Case Management → Modify Information)."
            },
        ),
    };
    NoticeText {
        summary,
        message_label,
        next_step,
    }
}

pub fn upload_problem_text(p: &crate::dto::UploadProblem, lang: Lang) -> String {
    use crate::dto::{UploadProblem as U, human_size};
    let es = lang == Lang::Es;
    match p {
        U::Empty => if es {
            "El fichero está vacío."
        } else {
            "The file is empty."
        }
        .into(),
        U::TooLarge { max_bytes } => {
            let max = human_size(*max_bytes as i64);
            if es {
                format!("El fichero supera el tamaño máximo permitido ({max}).")
            } else {
                format!("The file is larger than the maximum allowed ({max}).")
            }
        }
        U::TypeNotAllowed => {
            let kinds = crate::dto::ACCEPTED_FILE_KINDS
                .iter()
                .map(|(_, d)| *d)
                .collect::<Vec<_>>()
                .join(", ");
            if es {
                format!("Tipo de fichero no admitido. Se admiten: {kinds}.")
            } else {
                format!("File type not accepted. Accepted: {kinds}.")
            }
        }
        U::ContentMismatch { declared, detected } => {
            if es {
                format!(
                    "El contenido del fichero ({detected}) no corresponde a su extensión (.{declared}). Compruebe que ha seleccionado el fichero correcto."
                )
            } else {
                format!(
                    "The file's content ({detected}) does not match its extension (.{declared}). Check that you chose the right file."
                )
            }
        }
        U::MissingName => if es {
            "El fichero no tiene nombre."
        } else {
            "The file has no name."
        }
        .into(),
        U::Incomplete => if es {
            "La subida se ha interrumpido antes de terminar. Vuelva a seleccionar el fichero."
        } else {
            "The upload stopped before it finished. Choose the file again."
        }
        .into(),
        U::UnknownUpload => if es {
            "El fichero subido ya no está disponible. Vuelva a seleccionarlo."
        } else {
            "The uploaded file is no longer available. Choose it again."
        }
        .into(),
    }
}

/// Why a request was refused for now, and when to try again.
pub fn rate_limit_text(
    limit: crate::dto::RateLimit,
    retry_after_seconds: u64,
    lang: Lang,
) -> String {
    use crate::dto::{RateLimit as L, human_size};
    let es = lang == Lang::Es;
    let wait = if retry_after_seconds >= 120 {
        let minutes = retry_after_seconds.div_ceil(60);
        if es {
            format!("{minutes} minutos")
        } else {
            format!("{minutes} minutes")
        }
    } else {
        let seconds = retry_after_seconds.max(1);
        match (es, seconds) {
            (true, 1) => "1 segundo".to_owned(),
            (false, 1) => "1 second".to_owned(),
            (true, s) => format!("{s} segundos"),
            (false, s) => format!("{s} seconds"),
        }
    };
    match limit {
        L::LiveStreams => {
            if es {
                format!(
                    "Tiene demasiadas pestañas de Casia abiertas: esta no se actualizará sola. Vuelva a intentarlo en {wait}."
                )
            } else {
                format!(
                    "You have too many Casia tabs open: this one will not update by itself. Try again in {wait}."
                )
            }
        }
        L::Verification => {
            if es {
                format!(
                    "Ha realizado demasiadas verificaciones seguidas. Espere {wait} antes de volver a intentarlo."
                )
            } else {
                format!("You have made too many checks in a row. Wait {wait} before trying again.")
            }
        }
        L::VerificationBusy => {
            if es {
                format!(
                    "El servicio de verificación está ocupado en este momento. Vuelva a intentarlo en {wait}."
                )
            } else {
                format!("The verification service is busy right now. Try again in {wait}.")
            }
        }
        L::UploadFiles { max } => {
            if es {
                format!(
                    "Ha alcanzado el límite de {max} ficheros subidos por hora. Podrá subir más dentro de {wait}."
                )
            } else {
                format!(
                    "You have reached the limit of {max} uploaded files per hour. You can upload more in {wait}."
                )
            }
        }
        L::UploadBytes { max_bytes } => {
            let max = human_size(max_bytes as i64);
            if es {
                format!(
                    "Ha alcanzado el límite de {max} subidos por hora. Podrá subir más dentro de {wait}."
                )
            } else {
                format!(
                    "You have reached the limit of {max} uploaded per hour. You can upload more in {wait}."
                )
            }
        }
        L::UploadsAtOnce { max } => {
            if es {
                format!(
                    "Ya tiene {max} ficheros subiéndose a la vez. Espere a que terminen antes de añadir otro."
                )
            } else {
                format!(
                    "You already have {max} files uploading at once. Wait for them to finish before adding another."
                )
            }
        }
        L::ApiRequests { per_minute } => {
            if es {
                format!(
                    "Este token ha superado el límite de {per_minute} peticiones por minuto. Vuelva a intentarlo dentro de {wait}."
                )
            } else {
                format!(
                    "This token has exceeded the limit of {per_minute} requests per minute. Try again in {wait}."
                )
            }
        }
    }
}

/// The label of a deadline's status.
pub fn deadline_status_name(s: crate::deadlines::DeadlineStatus, lang: Lang) -> &'static str {
    use crate::deadlines::DeadlineStatus as D;
    match s {
        D::EnPlazo => Msg::EnPlazo,
        D::ProximoAVencer => Msg::ProximoAVencer,
        D::Vencido => Msg::Vencido,
        D::Suspendido => Msg::PlazoSuspendido,
    }
    .text(lang)
}

#[cfg(test)]
mod tests {

    #[test]
    fn decimals_follow_the_language() {
        assert_eq!(decimal(0.1234, 1, Lang::Es), "0,1");
        assert_eq!(decimal(4.0, 2, Lang::Es), "4,00");
        assert_eq!(decimal(0.1234, 1, Lang::En), "0.1");
        assert_eq!(decimal(4.0, 2, Lang::En), "4.00");
    }
    use super::*;

    #[test]
    fn guide_labels_are_used_verbatim_in_spanish() {
        assert_eq!(Msg::NuevoCaso.text(Lang::Es), "Nuevo Caso");
        assert_eq!(Msg::GestionCasos.text(Lang::Es), "Gestión de Casos");
        assert_eq!(Msg::NumAutorizacion.text(Lang::Es), "Nº Autorización");
        assert_eq!(
            substate_name(Substate::SolicitadaInformacion, Lang::Es),
            "Solicitada Información"
        );
        assert_eq!(
            case_type_name(CaseType::Incidencia, Lang::Es),
            "Error/Incidencia"
        );
    }

    #[test]
    fn every_notice_names_its_case_in_both_languages() {
        for kind in NoticeKind::ALL {
            for lang in [Lang::Es, Lang::En] {
                let t = notice_text(*kind, lang, "2026-0000042", "Alta de trabajador");
                assert!(
                    t.summary.contains("2026-0000042") && t.summary.contains("Alta de trabajador"),
                    "{kind:?} {lang:?}"
                );
                assert!(!t.next_step.is_empty() && !t.message_label.is_empty());
                assert!(notice_subject(*kind, lang, "2026-0000042").contains("2026-0000042"));
            }
        }
        // Guide §4.2.1: answers go through the service, not by email.
        let t = notice_text(
            NoticeKind::InformationRequested,
            Lang::Es,
            "2026-0000042",
            "x",
        );
        assert!(
            t.next_step.contains("Modificar Información")
                && t.next_step.contains("no por correo electrónico")
        );
    }

    #[test]
    fn every_audit_code_has_a_label_in_both_languages() {
        for code in crate::audit::AuditAction::ALL.iter().map(|a| a.code()) {
            for lang in [Lang::Es, Lang::En] {
                assert_ne!(
                    audit_action_name(code, lang),
                    code,
                    "{code} has no {lang:?} label"
                );
            }
        }
        for code in crate::audit::Outcome::ALL.iter().map(|o| o.code()) {
            assert_ne!(audit_outcome_name(code, Lang::Es), code);
        }
        assert_eq!(
            audit_action_name("admin.account_created", Lang::Es),
            "Cuenta creada"
        );
    }

    #[test]
    fn every_language_code_round_trips() {
        for lang in [Lang::Es, Lang::En] {
            assert_eq!(Lang::from_code(lang.code()), Some(lang));
            assert_ne!(lang.other(), lang);
        }
        assert_eq!(Lang::from_code("EN"), Some(Lang::En));
        assert_eq!(Lang::from_code("fr"), None);
    }
}
